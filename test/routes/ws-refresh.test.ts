import t from 'tap'
import { listen, authenticated, authHeaders, issueTicket, tokenFor, Client, type App, type Message } from '../helper.js'
import { backends } from '../support/backends.js'
import { waitFor } from '../support/events.js'
import { until } from '../support/wait.js'
import { mintTicket, ticketDigest } from '../../src/ticket.js'

// Short enough that "past the original TTL" and "past the lease" take seconds, not minutes.
const ENV = { SESSION_TTL_SECONDS: '2', SESSION_EXPIRY_NOTICE_SECONDS: '1', SESSION_LEASE_SECONDS: '2', TICKET_RATE_LIMIT: '1000' }

const listed = async (app: App, userId = 'alice') => await app.store.listSessions(userId)
const refresh = async (client: Client, ticket?: unknown, id = 'r') => await client.request({ type: 'session_refresh', id, ticket })

/** The next message of a type, skipping the session_expiring notices a short session gets meanwhile. */
async function nextOf (client: Client, type: string, timeoutMs = 5000): Promise<Message> {
  for (;;) {
    const message = await client.next(timeoutMs)
    if (message.type === type) return message
  }
}

for (const backend of backends) {
  t.test(`session_refresh › ${backend.name}`, { skip: backend.skip }, async t => {
    const handle = await backend.open(t)
    const { app, ws } = await listen(t, ENV, { store: await handle.connect() })
    // Sessions that outlast a store outage and several leases.
    const long = await listen(t, { ...ENV, SESSION_TTL_SECONDS: '3600', SESSION_FOLLOWS_TOKEN_EXPIRY: 'false' }, { store: await handle.connect() })

    t.test('kept alive by two refreshes past the original TTL: listed with the new expiry, then revocable', async t => {
      const [client, ok] = await authenticated(app, ws)
      const firstExpiry = Date.parse(ok.expiresAt)
      for (const round of [1, 2]) {
        await nextOf(client, 'session_expiring')
        const refreshed = await refresh(client, await issueTicket(app), `r${round}`)
        t.match(refreshed, { type: 'session_refreshed', id: `r${round}`, sessionId: ok.sessionId })
        t.ok(Date.parse(refreshed.expiresAt) > Date.now() + 1500, `round ${round}: refresh time + SESSION_TTL_SECONDS`)
        t.match(await listed(app), [{ sessionId: ok.sessionId, expiresAt: refreshed.expiresAt }], `round ${round}: the listing shows it`)
      }
      await nextOf(client, 'session_expiring')
      t.ok(Date.now() > firstExpiry, 'past the original expiry')
      t.match(await listed(app), [{ sessionId: ok.sessionId }], 'listed past the original expiry')
      t.match(await client.request({ type: 'chat_message', content: 'still here' }), { type: 'chat_response' })
      const res = await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId as string}`, headers: authHeaders(tokenFor(app, 'alice')) })
      t.equal(res.statusCode, 200, 'revocable')
      t.match(await nextOf(client, 'session_revoked'), { reconnect: false })
      t.match(await client.closed, { code: 4007 })
    })

    t.test('a failed refresh answers the ticket code as an error, keeps the connection and the old expiry, and never counts toward the close', async t => {
      const [client, ok] = await authenticated(app, ws, 'bob')
      const spent = await issueTicket(app, 'bob')
      t.match(await refresh(client, spent), { type: 'session_refreshed' })
      const { expiresAt } = (await listed(app, 'bob'))[0]
      const expired = mintTicket()
      const now = Date.now()
      await app.store.issueTicket(ticketDigest(expired), { userId: 'bob', chatServerKey: 'UD21', clientIp: '127.0.0.1', createdAt: now - 2000, expiresAt: now - 1000 })
      const foreign = await issueTicket(app, 'carol')
      const cases: Array<[unknown, string]> = [[spent, 'TICKET_USED'], [foreign, 'TICKET_INVALID'], ['garbage', 'TICKET_INVALID'], [undefined, 'TICKET_MISSING'], [expired, 'TICKET_EXPIRED']]
      for (const [ticket, code] of cases) {
        t.match(await refresh(client, ticket, code), { type: 'error', id: code, code }, `${code}`)
      }
      t.match(await client.request({ type: 'chat_message', content: 'open' }), { type: 'chat_response' }, 'five failures later, still open')
      t.match(await listed(app, 'bob'), [{ sessionId: ok.sessionId, expiresAt }], 'the old expiry stands')
      const [other] = await Client.connect(ws)
      t.match(await other.request({ type: 'ticket_authenticate', ticket: foreign }), { code: 'TICKET_USED' }, "another user's ticket was spent")
      other.close()
      client.close()
    })

    t.test('a refresh during a store outage answers AUTH_ERROR and does not close; after it, a refresh works', async t => {
      const [client, ok] = await authenticated(long.app, long.ws, 'dave')
      const ticket = await issueTicket(long.app, 'dave')
      await handle.outage()
      let healed = false
      t.teardown(async () => { if (!healed) await handle.heal() })
      t.match(await refresh(client, ticket), { type: 'error', code: 'AUTH_ERROR' })
      await handle.heal()
      healed = true
      // A client reconnects on its own schedule (ioredis backs off): wait until the store answers.
      await until('the store answers again', async () => await long.app.store.ping().then(() => true, () => false))
      t.equal(client.socket.readyState, client.socket.OPEN, 'still open')
      t.match(await refresh(client, await issueTicket(long.app, 'dave')), { type: 'session_refreshed', sessionId: ok.sessionId })
      client.close()
    })

    t.test('SESSION_FOLLOWS_TOKEN_EXPIRY=false with a long TTL stays listed past the lease, renewed by the instance', async t => {
      const [client, ok] = await authenticated(long.app, long.ws, 'erin')
      const started = Date.now()
      // Renewals until twice the lease has passed: a record kept by its creation alone would be gone.
      while (Date.now() - started < 4000) await waitFor(long.app.liveSockets.events, 'renewal', (_count, err) => err === undefined, 3000)
      t.match(await listed(long.app, 'erin'), [{ sessionId: ok.sessionId }])
      client.close()
    })
  })
}
