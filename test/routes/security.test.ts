import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { createSigner } from 'fast-jwt'
import { buildApp, loggerOptions } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createMemoryStore } from '../../src/stores/memory.js'
import { build, listen, issueTicket, authHeaders, tokenFor, Client, TEST_ENV } from '../helper.js'
import { withFaults } from '../support/faults.js'

t.test('logs › no bearer token, server key or ticket appears in the logs, even at trace level, in URLs and on store failures', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(chunk.toString()); done() } })
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'trace', CHAT_SERVER_KEYS: 'server-key-7f3a' })
  const faults = withFaults(createMemoryStore())
  const app = await buildApp({ config, store: faults.store }, { logger: { ...loggerOptions(config), level: 'trace', stream } })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const ws = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`
  const token = tokenFor(app, 'alice')
  const headers = authHeaders(token, 'server-key-7f3a')
  const issue = async () => await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers, payload: { userId: 'alice' } })
  const ticket = (await issue()).json().ticket as string
  const [client] = await Client.connect(ws)
  t.equal((await client.request({ type: 'ticket_authenticate', ticket })).type, 'authentication_success')
  t.equal((await client.request({ type: 'ticket_authenticate', ticket })).code, 'ALREADY_AUTHENTICATED')
  const spare = (await issue()).json().ticket as string
  // A client that puts credentials in the URL anyway: the request line is logged, the values are not.
  const [viaUrl] = await Client.connect(`${ws}?ticket=${spare}&access_token=${token}`)
  viaUrl.close()
  faults.fail('consumeTicket', 'issueTicket', 'listSessions')
  const [other] = await Client.connect(ws)
  t.equal((await other.request({ type: 'ticket_authenticate', ticket: spare })).code, 'AUTH_ERROR')
  t.equal((await issue()).statusCode, 503)
  t.equal((await app.inject({ url: '/api/websocket/sessions', headers })).statusCode, 503)
  client.close()
  other.close()
  await client.closed
  const log = lines.join('')
  t.ok(lines.length > 10, `${lines.length} log lines written`)
  for (const [name, secret] of [['bearer token', token], ['server key', 'server-key-7f3a'], ['ticket', ticket], ['unredeemed ticket', spare], ['ticket hex', ticket.slice(10)]]) {
    t.notOk(log.includes(secret), `no ${name} in the logs`)
  }
})

t.test('POST /api/websocket/ticket › 401 AUTH_INVALID for RS256 and ES256 tokens when HS256 is configured (algorithm confusion)', async t => {
  const app = await build(t)
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const tokens = {
    RS256: createSigner({ key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'RS256' })({ userId: 'alice' }),
    ES256: createSigner({ key: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'ES256' })({ userId: 'alice' })
  }
  for (const [alg, token] of Object.entries(tokens)) {
    const res = await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(token), payload: { userId: 'alice' } })
    t.equal(res.statusCode, 401, alg)
    t.equal(res.json().code, 'AUTH_INVALID', alg)
  }
})

t.test('GET /ws › a ticket in the URL is not a credential: the socket must still authenticate, and the ticket stays unspent', async t => {
  const { app, ws } = await listen(t, { AUTH_TIMEOUT_MS: '300' })
  const ticket = await issueTicket(app)
  const [client] = await Client.connect(`${ws}?ticket=${ticket}&token=${ticket}`)
  t.match(await client.request({ type: 'chat_message', content: 'hi' }), { type: 'authentication_error', code: 'AUTH_REQUIRED' })
  t.equal((await client.closed).code, 4006, 'closed at the auth timeout')
  const [other] = await Client.connect(ws)
  t.equal((await other.request({ type: 'ticket_authenticate', ticket })).type, 'authentication_success', 'the ticket was not consumed')
  other.close()
})
