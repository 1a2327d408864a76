import t from 'tap'
import { sessionExpiry } from '../src/session-expiry.js'

const now = Date.parse('2026-01-01T00:00:00.000Z')

t.test('sessionExpiry › without a token expiry: now + TTL', async t => {
  t.equal(sessionExpiry({ now, ttlSeconds: 60, followsTokenExpiry: true }), now + 60_000)
})

t.test('sessionExpiry › a token that expires first ends the session', async t => {
  t.equal(sessionExpiry({ now, ttlSeconds: 3600, tokenExpiresAt: now + 5000, followsTokenExpiry: true }), now + 5000)
})

t.test('sessionExpiry › a token that outlives the TTL does not extend the session', async t => {
  t.equal(sessionExpiry({ now, ttlSeconds: 60, tokenExpiresAt: now + 3_600_000, followsTokenExpiry: true }), now + 60_000)
})

t.test('sessionExpiry › SESSION_FOLLOWS_TOKEN_EXPIRY=false drops the token bound', async t => {
  t.equal(sessionExpiry({ now, ttlSeconds: 3600, tokenExpiresAt: now + 5000, followsTokenExpiry: false }), now + 3_600_000)
})

t.test('sessionExpiry › an already expired token gives an expiry in the past', async t => {
  t.equal(sessionExpiry({ now, ttlSeconds: 60, tokenExpiresAt: now - 1, followsTokenExpiry: true }), now - 1)
})
