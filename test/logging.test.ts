import t from 'tap'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { buildApp, loggerOptions } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { AccessLogController, redactSecrets, redactUrl } from '../src/logging.js'
import { authHeaders, tokenFor, Client, TEST_ENV, type Tap } from './helper.js'

const SERVER_KEY = 'srv-key-4f1d2c9a7e'
const JWT_SECRET = 'jwt-secret-8c3b5e1f0a'

/** The service with its production logger options, writing into `lines` (one JSON line each). */
async function appWithLog (t: Tap, env: Record<string, string>) {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const config = loadConfig({ ...TEST_ENV, ...env })
  const app = await buildApp({ config }, { logger: { ...loggerOptions(config), stream } })
  t.teardown(() => app.close())
  return { app, lines }
}

t.test('logs › a full flow at trace level carries no JWT, ticket or server key, and one event per authentication', async t => {
  const { app, lines } = await appWithLog(t, { LOG_LEVEL: 'trace', CHAT_SERVER_KEYS: SERVER_KEY, JWT_SECRET, LEGACY_TOKEN_AUTH: 'true' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const ws = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`

  const token = tokenFor(app, 'alice')
  const res = await app.inject({
    method: 'POST',
    url: `/api/websocket/ticket?token=${token}`,
    headers: { ...authHeaders(token, SERVER_KEY), 'x-request-id': 'req-from-proxy-1' },
    payload: { userId: 'alice' }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-request-id'], 'req-from-proxy-1', 'the caller\'s request id is kept and returned')
  const { ticket } = res.json()

  const [client, hello] = await Client.connect(ws)
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_success' })
  t.match(await client.request({ type: 'chat_message', content: 'hello' }), { type: 'chat_response' })
  const [replay] = await Client.connect(ws)
  t.match(await replay.request({ type: 'ticket_authenticate', ticket }), { code: 'TICKET_USED' })
  const [legacy] = await Client.connect(ws)
  t.match(await legacy.request({ type: 'authenticate', token, chatServerKey: SERVER_KEY }), { type: 'authentication_success' })
  const list = await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: { ...authHeaders(token, SERVER_KEY), 'x-request-id': 'bad id with spaces' } })
  t.equal(list.statusCode, 200)
  t.match(list.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a malformed request id is replaced')
  for (const c of [client, replay, legacy]) c.close()
  await Promise.all([client.closed, replay.closed, legacy.closed])
  await app.close()

  const text = lines.join('')
  t.ok(lines.length > 10, `${lines.length} log lines captured`)
  t.notOk(text.includes(token), 'no JWT')
  t.notOk(text.includes(token.split('.')[2]), 'not even its signature')
  t.notOk(text.includes(ticket), 'no ticket')
  t.notOk(text.includes(ticket.slice(10)), 'not even its hex part')
  t.notOk(text.includes(SERVER_KEY), 'no chat server key')
  t.notOk(text.includes(JWT_SECRET), 'no JWT secret')

  const logs = lines.map(l => JSON.parse(l))
  t.ok(logs.some(l => l.reqId === 'req-from-proxy-1'), 'log lines carry the request id')
  const outcomes = logs.filter(l => l.event === 'ws_authentication')
  t.equal(outcomes.length, 3, 'one event per authentication attempt')
  t.match(outcomes[0], { method: 'ticket', sessionId: hello.sessionId, userId: 'alice', code: 'OK', latencyMs: Number })
  t.match(outcomes[1], { method: 'ticket', code: 'TICKET_USED', sessionId: String })
  t.match(outcomes[2], { method: 'legacy', userId: 'alice', code: 'OK' })
  t.ok(logs.some(l => l.level === 40 && /deprecated/.test(l.msg)), 'legacy use is logged as deprecated')
})

t.test('logs › credentials are redacted wherever a log object carries them', async t => {
  const { app, lines } = await appWithLog(t, { LOG_LEVEL: 'info' })
  app.log.info({
    req: { headers: { authorization: 'Bearer S0' } },
    headers: { authorization: 'Bearer S1', 'x-chat-server-key': 'S2', cookie: 'S3' },
    ticket: 'S4',
    session: { chatServerKey: 'S5', userId: 'alice' },
    body: { token: 'S6', password: 'S7', secret: 'S8' }
  }, 'everything secret')
  const [line] = lines.map(l => JSON.parse(l)).filter(l => l.msg === 'everything secret')
  t.notMatch(JSON.stringify(line), /S\d/)
  t.match(line, { ticket: '[redacted]', session: { userId: 'alice', chatServerKey: '[redacted]' } })
})

t.test('logs › redactUrl hides credential-like query values only', async t => {
  t.equal(redactUrl('/ws'), '/ws')
  t.equal(redactUrl('/ws?ticket=ws_ticket_abc&page=2&access_token=x&apiKey=k'),
    '/ws?ticket=%5Bredacted%5D&page=2&access_token=%5Bredacted%5D&apiKey=%5Bredacted%5D')
})

t.test('logs › one access line per request at info: method, URL (scrubbed), status, time and request id', async t => {
  const { app, lines } = await appWithLog(t, { LOG_LEVEL: 'info', CHAT_SERVER_KEYS: SERVER_KEY, JWT_SECRET })
  const token = tokenFor(app, 'alice')
  const res = await app.inject({
    method: 'POST',
    url: '/api/websocket/ticket?access_token=abc',
    headers: { ...authHeaders(token, SERVER_KEY), 'x-request-id': 'access-1' },
    payload: { userId: 'alice' }
  })
  t.equal(res.statusCode, 200)
  const mine = lines.map(l => JSON.parse(l)).filter(l => l.reqId === 'access-1')
  t.equal(mine.length, 1, 'a single line for the request')
  t.match(mine[0], {
    level: 30,
    msg: 'request completed',
    req: { method: 'POST', url: '/api/websocket/ticket?access_token=%5Bredacted%5D' },
    res: { statusCode: 200 },
    responseTime: Number
  })
})

t.test('logs › the incoming-request line is written at debug level', async t => {
  const { app, lines } = await appWithLog(t, { LOG_LEVEL: 'debug' })
  await app.inject({ url: '/health', headers: { 'x-request-id': 'access-2' } })
  const mine = lines.map(l => JSON.parse(l)).filter(l => l.reqId === 'access-2')
  t.match(mine.map(l => [l.level, l.msg]), [[20, 'incoming request'], [30, 'request completed']])
})

t.test('logs › a request that ends in a stream error is logged at error with the error', async t => {
  const logged: unknown[][] = []
  const log = { error: (...args: unknown[]) => logged.push(args) }
  const request = { method: 'GET' }
  const reply = { log, elapsedTime: 1.5 }
  new AccessLogController().requestCompleted(new Error('socket hang up'), request as never, reply as never)
  t.match(logged, [[{ req: request, res: reply, err: { message: 'socket hang up' }, responseTime: 1.5 }, 'request errored']])
})

t.test('logs › redactSecrets copies only what it censors and leaves the caller\'s objects alone', async t => {
  const session = { userId: 'alice', chatServerKey: 'k' }
  const input = { session, ticket: 't', count: 2, list: [{ token: 'x' }], err: new Error('e') }
  const out = redactSecrets(input)
  t.same(out.session, { userId: 'alice', chatServerKey: '[redacted]' })
  t.equal(out.ticket, '[redacted]')
  t.equal(input.ticket, 't', 'the caller\'s object is unchanged')
  t.equal(session.chatServerKey, 'k', 'and so are the objects inside it')
  t.equal(out.list, input.list, 'arrays and class instances are left to their serializers')
  t.equal(out.err, input.err)
  const clean = { msg: 'x', nested: Object.assign(Object.create(null), { a: 1 }) }
  t.equal(redactSecrets(clean), clean, 'nothing secret: the same object, no copy')
})
