import t from 'tap'
import { listen, authenticated, authHeaders, issueTicket, tokenFor, Client, type App } from '../helper.js'
import { createMemoryStore } from '../../src/stores/memory.js'
import { removalOf, waitFor } from '../support/events.js'

// Timers may round a millisecond down; the network adds nothing before the server's own send.
const SLACK_MS = 5
const SHORT = { SESSION_TTL_SECONDS: '2', SESSION_EXPIRY_NOTICE_SECONDS: '1' }

async function ticketFrom (app: App, token: string, userId = 'alice'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(token), payload: { userId } })
  return res.json().ticket
}

t.test('/ws › session_expiring at expiresAt - SESSION_EXPIRY_NOTICE_SECONDS, session_expired and close 4016 at expiresAt', async t => {
  const { app, ws } = await listen(t, SHORT)
  const [client, ok] = await authenticated(app, ws)
  const expiresAt = Date.parse(ok.expiresAt)
  t.equal(expiresAt - Date.parse(ok.timestamp), 2000, 'expiresAt = authenticatedAt + SESSION_TTL_SECONDS')
  t.match(await app.store.listSessions('alice'), [{ sessionId: ok.sessionId, expiresAt: ok.expiresAt }], 'the record carries it')
  t.match(await client.request({ type: 'chat_message', content: 'hi' }), { type: 'chat_response' })

  const notice = await client.next(3000)
  const noticeAt = Date.now()
  t.match(notice, { type: 'session_expiring', expiresAt: ok.expiresAt })
  t.ok(noticeAt >= expiresAt - 1000 - SLACK_MS && noticeAt < expiresAt, `notice ${expiresAt - noticeAt} ms before expiresAt`)
  const removed = removalOf(app.liveSockets.events, ok.sessionId)
  t.match(await client.next(3000), { type: 'session_expired' }, 'session_expired before the close')
  t.ok(Date.now() >= expiresAt - SLACK_MS, 'not before expiresAt')
  t.match(await client.closed, { code: 4016, reason: 'Session expired without a refresh' })
  await removed
  t.same(await app.store.listSessions('alice'), [], 'the record is gone with the socket')
  t.equal(app.liveSockets.deadlines.size, 0, 'nothing left on the instance timer')
})

t.test('/ws › expiresAt is the user JWT exp when earlier, unless SESSION_FOLLOWS_TOKEN_EXPIRY=false', async t => {
  for (const [follows, expected] of [['true', 'token'], ['false', 'ttl']] as const) {
    const { app, ws } = await listen(t, { SESSION_FOLLOWS_TOKEN_EXPIRY: follows })
    const exp = Math.floor(Date.now() / 1000) + 60
    const [client] = await Client.connect(ws)
    const ok = await client.request({ type: 'ticket_authenticate', ticket: await ticketFrom(app, tokenFor(app, 'alice', { exp })) })
    const byTtl = Date.parse(ok.timestamp) + 86_400_000
    t.equal(Date.parse(ok.expiresAt), expected === 'token' ? exp * 1000 : byTtl, `follows=${follows}: the ${expected} bound`)
    client.close()
  }
})

t.test('/ws › a session shorter than the notice gets session_expiring at once, right after authentication_success', async t => {
  const { app, ws } = await listen(t, { SESSION_TTL_SECONDS: '1', SESSION_EXPIRY_NOTICE_SECONDS: '60' })
  const [client, ok] = await authenticated(app, ws)
  const notice = await client.next(500)
  t.match(notice, { type: 'session_expiring', expiresAt: ok.expiresAt })
  t.ok(Date.now() < Date.parse(ok.expiresAt), 'well before the expiry')
  t.match(await client.next(2000), { type: 'session_expired' })
  t.match(await client.closed, { code: 4016 })
})

t.test('/ws › many sessions share the one instance timer; closed ones leave it', async t => {
  const { app, ws } = await listen(t, { ...SHORT, SESSION_TTL_SECONDS: '3600' })
  const clients = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await authenticated(app, ws, `user-${i}`))[0]))
  t.equal(app.liveSockets.deadlines.size, 20, 'one heap slot per session, one timer for all')
  let removed = 0
  const gone = waitFor(app.liveSockets.events, 'removal', () => ++removed === clients.length)
  for (const c of clients) c.close()
  await gone
  t.equal(app.liveSockets.deadlines.size, 0)
})

t.test('/ws › session_refresh before authentication is AUTH_REQUIRED', async t => {
  const { ws } = await listen(t)
  const [client] = await Client.connect(ws)
  t.match(await client.request({ type: 'session_refresh', ticket: 'x' }), { type: 'authentication_error', code: 'AUTH_REQUIRED' })
  client.close()
})

t.test('/ws › a refresh that finds the record gone closes the socket as revoked, reconnect:true: no unlisted socket stays', async t => {
  const { app, ws } = await listen(t)
  const [client, ok] = await authenticated(app, ws)
  await app.store.removeSession(ok.sessionId)
  client.send({ type: 'session_refresh', ticket: await issueTicket(app) })
  t.match(await client.next(), { type: 'session_revoked', reconnect: true })
  t.match(await client.closed, { code: 4007 })
})

t.test('/ws › a client that leaves while its refresh is in flight: the refresh lands on nobody, the record is removed', async t => {
  const store = createMemoryStore()
  t.teardown(() => store.close())
  let release: () => void = () => {}
  const updating = new Promise<void>(resolve => {
    const update = store.updateSessionExpiry
    store.updateSessionExpiry = async (...args) => { resolve(); await new Promise<void>(resolve => { release = resolve }); return await update(...args) }
  })
  const { app, ws } = await listen(t, {}, { store })
  const [client, ok] = await authenticated(app, ws)
  const ended = removalOf(app.liveSockets.events, ok.sessionId)
  client.send({ type: 'session_refresh', ticket: await issueTicket(app) })
  await updating
  client.close()
  await ended
  release()
  const refreshed = waitFor(app.liveSockets.events, 'refreshed', () => true, 300)
  await t.rejects(refreshed, /no matching 'refreshed'/, 'no refresh reported for a closed socket')
  t.equal(app.liveSockets.deadlines.size, 0, 'and nothing scheduled')
})
