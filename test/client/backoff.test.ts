import t from 'tap'
import { DEFAULT_BACKOFF, FATAL_CODES, backoffDelay, fetchTicket } from '../../src/client/index.js'
import { closeFailure } from '../../src/client/backoff.js'
import { ERROR_CODES } from '../../src/protocol/errors.js'

t.test('client backoff › grows by the factor up to the ceiling, jitter only shortens it, Retry-After is a floor', async t => {
  const opts = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 }
  const random = Math.random
  t.teardown(() => { Math.random = random })
  Math.random = () => 0
  t.same([0, 1, 2, 3, 4, 10].map(a => backoffDelay(a, opts)), [100, 200, 400, 800, 1000, 1000], 'no jitter drawn: the ceiling')
  Math.random = () => 0.999999
  t.same([0, 1, 4].map(a => backoffDelay(a, opts)), [50, 100, 500], 'the largest jitter takes half off')
  t.equal(backoffDelay(0, opts, 3000), 3000, 'never sooner than Retry-After')
  t.match(DEFAULT_BACKOFF, { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 })
})

t.test('client backoff › a close is named by the error table, 1001 is a shutdown, anything else a lost connection', async t => {
  t.same(closeFailure(4007, 'Session was revoked'), { code: 'SESSION_REVOKED', message: 'Session was revoked', closeCode: 4007 })
  t.equal(closeFailure(4500, '').code, 'SERVER_ERROR')
  t.same(closeFailure(1001, ''), { code: 'SERVER_SHUTDOWN', message: 'connection closed (1001)', closeCode: 1001 })
  t.same(closeFailure(1006, ''), { code: 'CONNECTION_LOST', message: 'connection closed (1006)', closeCode: 1006 })
  for (const code of FATAL_CODES) t.ok((ERROR_CODES as string[]).includes(code), `${code} is a protocol code`)
  for (const code of ['TICKET_USED', 'TICKET_EXPIRED', 'SESSION_LIMIT', 'RATE_LIMITED', 'DATABASE_ERROR', 'AUTH_ERROR']) {
    t.notOk(FATAL_CODES.has(code), `${code} is retried`)
  }
})

t.test('client › fetchTicket sends the browser\'s user agent in clientInfo', async t => {
  const global = globalThis as { navigator?: unknown }
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'DemoBrowser/1.0' }, configurable: true })
  t.teardown(() => { if (saved === undefined) delete global.navigator; else Object.defineProperty(globalThis, 'navigator', saved) })
  let sent: { headers: Record<string, string>, body: Record<string, any> } | undefined
  const answer = await fetchTicket({
    ticketUrl: 'http://service.test/api/websocket/ticket',
    getToken: async () => 'the-jwt',
    serverKey: 'UD21',
    user: { userId: 'alice', entityId: 'e1' },
    fetch: async (_url, init) => {
      sent = { headers: init?.headers as Record<string, string>, body: JSON.parse(String(init?.body)) }
      return Response.json({ success: true, ticket: 'ws_ticket_x', expiresAt: '2030-01-01T00:00:00.000Z' })
    }
  })
  t.same(answer, { success: true, ticket: 'ws_ticket_x', expiresAt: '2030-01-01T00:00:00.000Z' })
  t.match(sent?.headers, { authorization: 'Bearer the-jwt', 'x-chat-server-key': 'UD21', 'content-type': 'application/json' })
  t.match(sent?.body, { userId: 'alice', entityId: 'e1', clientInfo: { userAgent: 'DemoBrowser/1.0' } })
  t.ok(Date.parse(sent?.body.clientInfo.timestamp))
})
