import t from 'tap'
import { listen, tokenFor } from '../helper.js'
import { clientOptions, track } from './support.js'
import { createClient } from '../../src/client/index.js'
import { createMemoryStore } from '../../src/stores/memory.js'
import { withFaults } from '../support/faults.js'
import { within } from '../support/events.js'

const SHORT = { SESSION_TTL_SECONDS: '2', SESSION_EXPIRY_NOTICE_SECONDS: '1', TICKET_RATE_LIMIT: '1000' }

t.test('client › a session through two refreshes on session_expiring, then SESSION_EXPIRED after a failed one: stopped, reported', async t => {
  const { app, http } = await listen(t, SHORT)
  let tokens = 0
  // Three tokens: the connection and two refreshes; then the identity provider is gone.
  const getToken = () => { if (++tokens > 3) throw new Error('logged out'); return tokenFor(app, 'alice') }
  const client = createClient(clientOptions(app, http, 'alice', { getToken, heartbeatIntervalMs: 0 }))
  const states = track(client)
  const refreshed: string[] = []
  client.on('session_refreshed', m => { refreshed.push(m.expiresAt) })
  const ok = await client.connect()
  t.equal(client.expiresAt, ok.expiresAt, 'expiresAt from authentication_success')

  const failed = await states.next(c => c.state === 'failed', 8000)
  t.equal(refreshed.length, 2, 'refreshed twice by itself')
  t.ok(Date.parse(refreshed[1]) > Date.parse(refreshed[0]) && Date.parse(refreshed[0]) > Date.parse(ok.expiresAt), 'each refresh moved expiresAt')
  t.equal(client.expiresAt, refreshed[1], 'the client exposes the latest')
  t.match(failed.failure, { code: 'SESSION_EXPIRED', closeCode: 4016, message: /failed refresh \(TOKEN_UNAVAILABLE: getToken failed: Error: logged out\)/ })
  t.same(states.states().filter(s => s === 'reconnecting'), [], 'never reconnected')
  t.equal(client.sessionId, ok.sessionId, 'one session all along')
})

t.test('client › a renewed JWT extends the session: its exp bounds the refreshed expiry', async t => {
  const { app, http } = await listen(t, { SESSION_EXPIRY_NOTICE_SECONDS: '1' })
  let exp = Math.floor(Date.now() / 1000) + 2
  const getToken = () => tokenFor(app, 'alice', { exp })
  const client = createClient(clientOptions(app, http, 'alice', { getToken, heartbeatIntervalMs: 0 }))
  const ok = await client.connect()
  t.equal(Date.parse(ok.expiresAt), exp * 1000, 'the first JWT bounds the session')
  exp += 60
  const refreshed = await within(new Promise<string>(resolve => client.on('session_refreshed', m => { resolve(m.expiresAt) })))
  t.equal(Date.parse(refreshed), exp * 1000, 'the renewed one extends it')
  client.close()
})

t.test('client › refresh() rejects with the server code and keeps the session; an expiry with no failed refresh reconnects', async t => {
  const faults = withFaults(createMemoryStore())
  t.teardown(() => faults.store.close())
  const { app, http } = await listen(t, { ...SHORT, SESSION_EXPIRY_NOTICE_SECONDS: '0' }, { store: faults.store })
  const client = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0, autoRefresh: false }))
  const states = track(client)
  const ok = await client.connect()
  faults.fail('consumeTicket')
  await t.rejects(client.refresh(), { code: 'AUTH_ERROR' })
  t.equal(client.state, 'open', 'still connected')
  t.equal(client.expiresAt, ok.expiresAt, 'old expiry')
  faults.heal()
  t.not(await client.refresh(), ok.expiresAt, 'a retry succeeds')
  const lost = await states.next(c => c.state === 'reconnecting', 5000)
  t.match(lost.failure, { code: 'SESSION_EXPIRED' }, 'expired without a failing refresh: a fresh ticket is worth a try')
  await states.next(c => c.state === 'open')
  t.not(client.sessionId, ok.sessionId)
  client.close()
})

t.test('client › session_revoked with reconnect:true reconnects at once; reconnect:false stops', async t => {
  const { app, http } = await listen(t)
  const client = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0 }))
  const states = track(client)
  const first = await client.connect()
  await app.store.publish({ kind: 'revoke', sessionId: first.sessionId, reconnect: true })
  t.match(await states.next(c => c.state === 'reconnecting'), { delayMs: 0, failure: { code: 'SESSION_REVOKED' } })
  const second = await client.connect()
  t.not(second.sessionId, first.sessionId)
  await app.store.publish({ kind: 'revoke', sessionId: second.sessionId })
  t.match(await states.next(c => c.state === 'failed'), { failure: { code: 'SESSION_REVOKED', closeCode: 4007 } })
})

t.test('client › a session shorter than the notice does not refresh in a loop: the next refresh waits half of what the last one granted', async t => {
  const { app, http } = await listen(t, { SESSION_TTL_SECONDS: '2', SESSION_EXPIRY_NOTICE_SECONDS: '60', TICKET_RATE_LIMIT: '1000' })
  const client = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0 }))
  const refreshed: number[] = []
  let notices = 0
  client.on('session_expiring', () => { notices++ })
  const third = new Promise<void>(resolve => client.on('session_refreshed', () => { if (refreshed.push(Date.now()) === 3) resolve() }))
  await client.connect()
  await within(third)
  const gaps = refreshed.slice(1).map((at, i) => at - refreshed[i])
  t.ok(gaps.every(gap => gap >= 900), `refreshes ${gaps.join(', ')} ms apart, not back to back`)
  t.ok(notices >= 3, 'though every refresh brought a notice at once')
  t.equal(client.state, 'open', 'and the session lives on')
  client.close()
})
