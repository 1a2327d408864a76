import t from 'tap'
import { createSigner } from 'fast-jwt'
import { loadConfig } from '../../src/config.js'
import { build, authHeaders, Client, type App } from '../helper.js'
import { jwksServer, providerKey, providerToken } from '../jwks-helper.js'

const ISS = 'https://idp.example'
const AUD = 'chat'
const rsa = providerKey('rsa-1')
const ec = providerKey('ec-1', 'ES256')

async function ticket (app: App, token: string, userId = 'alice') {
  return await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(token), payload: { userId } })
}

t.test('config › JWKS_URL alone satisfies the production guard', async t => {
  const config = loadConfig({ NODE_ENV: 'production', JWKS_URL: 'https://idp.example/jwks.json', CHAT_SERVER_KEYS: 'k' })
  t.equal(config.jwtSecret, undefined, 'no development secret next to a JWKS')
  t.throws(() => loadConfig({ NODE_ENV: 'production', CHAT_SERVER_KEYS: 'k' }), /JWT_SECRET \(or JWKS_URL\)/)
})

t.test('POST /api/websocket/ticket › 200 with RS256 and ES256 tokens from the JWKS', async t => {
  const { state, url } = await jwksServer(t, [rsa, ec])
  const app = await build(t, { JWKS_URL: url, JWT_ISSUER: ISS, JWT_AUDIENCE: AUD })
  t.equal(app.hasDecorator('jwt'), false, 'no HS256 signer without JWT_SECRET')
  for (const key of [rsa, ec]) {
    const res = await ticket(app, providerToken(key, { sub: 'alice', iss: ISS, aud: AUD }))
    t.equal(res.statusCode, 200, key.alg)
  }
  t.equal(state.fetches, 1)
  const sessions = await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: authHeaders(providerToken(rsa, { sub: 'alice', iss: ISS, aud: AUD })) })
  t.equal(sessions.statusCode, 200, 'the session routes take the same tokens')
})

t.test('POST /api/websocket/ticket › 401 AUTH_INVALID for another issuer or audience, without a JWKS fetch for the issuer', async t => {
  const { state, url } = await jwksServer(t, [rsa])
  const app = await build(t, { JWKS_URL: url, JWT_ISSUER: ISS, JWT_AUDIENCE: AUD })
  const wrongIss = await ticket(app, providerToken(rsa, { sub: 'alice', iss: 'https://evil.example', aud: AUD }))
  t.match(wrongIss.json(), { code: 'AUTH_INVALID' })
  t.equal(state.fetches, 0)
  const wrongAud = await ticket(app, providerToken(rsa, { sub: 'alice', iss: ISS, aud: 'other' }))
  t.equal(wrongAud.statusCode, 401)
  t.match(wrongAud.json(), { code: 'AUTH_INVALID' })
})

t.test('POST /api/websocket/ticket › 401 AUTH_INVALID for algorithm confusion: HS256 signed with the provider public key', async t => {
  const { url } = await jwksServer(t, [rsa])
  const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
  const forged = createSigner({ key: publicPem, algorithm: 'HS256', kid: 'rsa-1' })({ sub: 'alice' })
  const jwksOnly = await build(t, { JWKS_URL: url })
  t.match((await ticket(jwksOnly, forged)).json(), { code: 'AUTH_INVALID' })

  const both = await build(t, { JWKS_URL: url, JWT_SECRET: 'a-real-hmac-secret' })
  t.match((await ticket(both, forged)).json(), { code: 'AUTH_INVALID' }, 'HS256 is checked against JWT_SECRET only')
  t.equal((await ticket(both, both.jwt.sign({ userId: 'alice' }))).statusCode, 200, 'JWT_SECRET tokens still pass')
  t.equal((await ticket(both, providerToken(rsa, { sub: 'alice' }))).statusCode, 200, 'JWKS tokens too')
})

t.test('POST /api/websocket/ticket › 401 AUTH_INVALID for unsigned, kid-less or unknown-kid tokens', async t => {
  const { state, url } = await jwksServer(t, [rsa])
  const app = await build(t, { JWKS_URL: url, JWKS_REFETCH_INTERVAL_MS: '60000' })
  const none = createSigner({ algorithm: 'none' })({ sub: 'alice' })
  t.match((await ticket(app, none)).json(), { code: 'AUTH_INVALID' })
  const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const noKid = createSigner({ key: pem, algorithm: 'RS256' })({ sub: 'alice' })
  t.match((await ticket(app, noKid)).json(), { code: 'AUTH_INVALID' })
  t.equal((await ticket(app, providerToken(rsa, { sub: 'alice' }))).statusCode, 200)
  const stranger = providerKey('rsa-9')
  t.match((await ticket(app, providerToken(stranger, { sub: 'alice' }))).json(), { code: 'AUTH_INVALID' })
  t.match((await ticket(app, providerToken(providerKey('rsa-10'), { sub: 'alice' }))).json(), { code: 'AUTH_INVALID' })
  t.equal(state.fetches, 1, 'unknown kids inside the refetch interval cost no fetch')
})

t.test('POST /api/websocket/ticket › 401 AUTH_INVALID when the verified token names no usable user id', async t => {
  const app = await build(t)
  for (const claims of [{}, { sub: '' }, { userId: 'x'.repeat(256) }, { userId: 42 }]) {
    const res = await ticket(app, app.jwt.sign(claims as never))
    t.match(res.json(), { code: 'AUTH_INVALID' }, JSON.stringify(claims).slice(0, 40))
  }
  t.equal((await ticket(app, app.jwt.sign({ sub: 'alice' }))).statusCode, 200, 'sub stands in for userId')
})

t.test('POST /api/websocket/ticket › key rotation: a token of the new key passes after one refetch', async t => {
  const { state, url } = await jwksServer(t, [rsa])
  const app = await build(t, { JWKS_URL: url, JWKS_REFETCH_INTERVAL_MS: '0' })
  t.equal((await ticket(app, providerToken(rsa, { sub: 'alice' }))).statusCode, 200)
  const next = providerKey('rsa-2')
  state.keys = [rsa, next]
  t.equal((await ticket(app, providerToken(next, { sub: 'alice' }))).statusCode, 200)
  t.equal(state.fetches, 2)
  state.keys = [next]
  // A retired key: its new tokens fail once the set is fetched again (an unknown kid triggers it here).
  await ticket(app, providerToken(providerKey('rsa-3'), { sub: 'alice' }))
  t.match((await ticket(app, providerToken(rsa, { sub: 'bob' }), 'bob')).json(), { code: 'AUTH_INVALID' })
})

t.test('GET /ws › a JWKS-verified user authenticates with the ticket', async t => {
  const { url } = await jwksServer(t, [ec])
  const app = await build(t, { JWKS_URL: url })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await ticket(app, providerToken(ec, { sub: 'alice' }))
  const [client] = await Client.connect(`ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws`)
  t.teardown(() => client.close())
  t.match(await client.request({ type: 'ticket_authenticate', ticket: res.json().ticket }), { type: 'authentication_success', user: { userId: 'alice' } })
})
