import t from 'tap'
import { authHeaders, Client, listen, tokenFor } from '../helper.js'
import { rawRequest, UPGRADE_LINES } from '../support/raw-http.js'
import { waitFor } from '../support/events.js'
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

t.test('raw HTTP › handshakes ws refuses are answered in the envelope on /ws, closed after the answer, their place given back', async t => {
  // One place per address: each refusal must give its place back for the next request to be judged at all.
  const { app, port, ws } = await listen(t, { MAX_CONNECTIONS_PER_IP: '1' })
  const [connection, upgrade, version, key] = UPGRADE_LINES
  const cases: Array<[string, string[], number, string, RegExp]> = [
    ['bad key', [connection, upgrade, version, 'Sec-WebSocket-Key: short'], 400, 'HANDSHAKE_INVALID', /Sec-WebSocket-Key/],
    ['no key', [connection, upgrade, version], 400, 'HANDSHAKE_INVALID', /Sec-WebSocket-Key/],
    ['other protocol', [connection, 'Upgrade: h2c', version, key], 400, 'HANDSHAKE_INVALID', /Upgrade/],
    ['bad subprotocol', [connection, upgrade, version, key, 'Sec-WebSocket-Protocol: a b'], 400, 'HANDSHAKE_INVALID', /Sec-WebSocket-Protocol/],
    ['old version', [connection, upgrade, 'Sec-WebSocket-Version: 7', key], 426, 'WS_VERSION_UNSUPPORTED', /13/],
    ['no version', [connection, upgrade, key], 426, 'WS_VERSION_UNSUPPORTED', /13/]
  ]
  for (const [what, lines, status, code, error] of cases) {
    const released = waitFor(app.liveSockets.events, 'released')
    // Resolves once the server closed the connection; rejects if it holds it.
    const answer = await rawRequest(port, ['GET /ws HTTP/1.1', 'Host: 127.0.0.1', ...lines, '', ''].join('\r\n'))
    t.equal(answer.status, status, what)
    t.match(JSON.parse(answer.body), { success: false, code, error }, what)
    t.match(answer.head, /\r\nConnection: close(\r|$)/i, `${what}: the client is told the connection ends`)
    if (status === 426) t.match(answer.head, /\r\nSec-WebSocket-Version: 13(\r|$)/, `${what}: RFC 6455 names the version spoken`)
    await released
  }
  const [client] = await Client.connect(ws)
  t.ok(client, 'the one place is free: a valid handshake is admitted')
  client.close()
})
