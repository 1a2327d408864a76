import t from 'tap'
import { authHeaders, listen, tokenFor } from '../helper.js'
import { rawRequest } from '../support/raw-http.js'
import { REDIS_MISSING, startRedis } from '../support/redis.js'

const LONE = ['\uD800', 'a\uDC00b', 'x\uDBFF']

const envelope = (body: string) => JSON.parse(body)

for (const backend of ['memory', 'redis']) {
  t.test(`user ids › ${backend}: a JWT whose user id is not well-formed Unicode is AUTH_INVALID at the ticket route and the listing (never 500)`, { skip: backend === 'redis' ? REDIS_MISSING : undefined }, async t => {
    const env: Record<string, string> = backend === 'redis' ? { REDIS_URL: (await startRedis(t)).url } : {}
    const { app } = await listen(t, env)
    for (const userId of LONE) {
      const token = tokenFor(app, userId)
      const ticket = await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(token), payload: { userId } })
      t.equal(ticket.statusCode, 401)
      t.match(ticket.json(), { success: false, code: 'AUTH_INVALID' })
      const listing = await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: { authorization: `Bearer ${token}` } })
      t.equal(listing.statusCode, 401)
      t.match(listing.json(), { success: false, code: 'AUTH_INVALID' })
    }
    const ok = await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(app, 'ok-\uD83D\uDE00')), payload: { userId: 'ok-\uD83D\uDE00' } })
    t.equal(ok.statusCode, 200, 'a well-formed surrogate pair is fine')
  })
}

t.test('raw HTTP › the parser\'s own refusals are in the envelope: 431 headers too large, 400 malformed', async t => {
  const { port } = await listen(t)
  const big = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.equal(big.status, 431)
  t.match(envelope(big.body), { success: false, code: 'HEADERS_TOO_LARGE' })
  const garbage = await rawRequest(port, 'NOT A REQUEST\r\n\r\n')
  t.equal(garbage.status, 400)
  t.match(envelope(garbage.body), { success: false, code: 'BAD_REQUEST' })
})
