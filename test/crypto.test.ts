import t from 'tap'
import { createHash } from 'node:crypto'
import { randomHex, sha256, sha256Hex } from '../src/crypto.js'
import { createUserVerifier } from '../src/jwt.js'

t.test('randomHex › the requested length, never a repeat across pool refills', async t => {
  const seen = new Set<string>()
  // 1,000 × 32 bytes spans eight 4 KiB refills.
  for (let i = 0; i < 1000; i++) {
    const hex = randomHex(32)
    if (!/^[0-9a-f]{64}$/.test(hex)) t.fail(`not 64 hex digits: ${hex}`)
    seen.add(hex)
  }
  t.equal(seen.size, 1000)
  t.match(randomHex(16), /^[0-9a-f]{32}$/)
})

t.test('sha256 › the same digest as a Hash object', async t => {
  t.same(sha256('ws_ticket_x'), createHash('sha256').update('ws_ticket_x').digest())
  t.equal(sha256Hex('ws_ticket_x'), createHash('sha256').update('ws_ticket_x').digest('hex'))
})

t.test('createUserVerifier › refuses to exist without a secret or a JWKS URL', async t => {
  t.throws(() => createUserVerifier({ jwtSecret: undefined, jwksUrl: undefined, jwtIssuer: undefined, jwtAudience: undefined, jwksRefetchIntervalMs: 1000 }),
    /a JWT secret or a JWKS URL is required/)
})
