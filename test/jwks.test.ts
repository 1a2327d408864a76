import t from 'tap'
import { createJwksKeys } from '../src/jwks.js'
import { jwksServer, providerKey } from './jwks-helper.js'

const rsa = providerKey('rsa-1')
const ec = providerKey('ec-1', 'ES256')
const ISS = 'https://idp.example'

t.test('JWKS keys › RS256 and ES256 keys are resolved from the set and cached per issuer and kid', async t => {
  const { state, url } = await jwksServer(t, [rsa, ec])
  const keys = createJwksKeys({ url, refetchIntervalMs: 60_000, timeoutMs: 2000 })
  const [a, b] = await Promise.all([keys.key(ISS, 'rsa-1', 'RS256'), keys.key(ISS, 'ec-1', 'ES256')])
  t.match(a, /BEGIN PUBLIC KEY/)
  t.match(b, /BEGIN PUBLIC KEY/)
  t.equal(state.fetches, 1, 'concurrent lookups share one fetch')
  t.equal(await keys.key(ISS, 'rsa-1', 'RS256'), a)
  t.equal(await keys.key('https://other.example', 'rsa-1', 'RS256'), a, 'another issuer resolves its own entry')
  t.equal(state.fetches, 1)
})

t.test('JWKS keys › an unknown kid refetches once, then not again within the interval', async t => {
  const { state, url } = await jwksServer(t, [rsa])
  const keys = createJwksKeys({ url, refetchIntervalMs: 60_000 })
  await keys.key(ISS, 'rsa-1', 'RS256')
  await t.rejects(keys.key(ISS, 'nope', 'RS256'), /no key nope/)
  t.equal(state.fetches, 1, 'the set is fresh: no refetch inside the interval')
  await t.rejects(keys.key(ISS, 'nope-2', 'RS256'), /no key nope-2/)
  t.equal(state.fetches, 1)

  const eager = createJwksKeys({ url, refetchIntervalMs: 0 })
  await t.rejects(eager.key(ISS, 'nope', 'RS256'))
  t.equal(state.fetches, 3, 'first fetch, then exactly one refetch for the unknown kid')
})

t.test('JWKS keys › rotation: a new kid is fetched, a removed key stops resolving', async t => {
  const { state, url } = await jwksServer(t, [rsa])
  const keys = createJwksKeys({ url, refetchIntervalMs: 0 })
  await keys.key(ISS, 'rsa-1', 'RS256')
  const next = providerKey('rsa-2')
  state.keys = [next]
  t.match(await keys.key(ISS, 'rsa-2', 'RS256'), /BEGIN PUBLIC KEY/)
  await t.rejects(keys.key(ISS, 'rsa-1', 'RS256'), /no key rsa-1/, 'the refetch dropped the cached old key')
})

t.test('JWKS keys › a set older than maxAgeMs is fetched again, and kept when the provider is down', async t => {
  const { state, url } = await jwksServer(t, [rsa])
  const keys = createJwksKeys({ url, refetchIntervalMs: 60_000, maxAgeMs: 0 })
  await keys.key(ISS, 'rsa-1', 'RS256')
  await keys.key(ISS, 'rsa-1', 'RS256')
  t.equal(state.fetches, 2)
  state.status = 500
  t.match(await keys.key(ISS, 'rsa-1', 'RS256'), /BEGIN PUBLIC KEY/, 'stale keys stay in use')
  t.equal(state.fetches, 3)
})

t.test('JWKS keys › the first fetch failing refuses the key', async t => {
  const { state, url } = await jwksServer(t, [rsa])
  state.status = 503
  await t.rejects(createJwksKeys({ url, refetchIntervalMs: 0 }).key(ISS, 'rsa-1', 'RS256'), /HTTP 503/)
  state.status = 200
  state.body = JSON.stringify({ nokeys: true })
  await t.rejects(createJwksKeys({ url, refetchIntervalMs: 0 }).key(ISS, 'rsa-1', 'RS256'), /no "keys" array/)
})

t.test('JWKS keys › keys without kid or for encryption are ignored', async t => {
  const { state, url } = await jwksServer(t, [])
  const jwk = { ...rsa.publicKey.export({ format: 'jwk' }) }
  state.body = JSON.stringify({ keys: [jwk, { ...jwk, kid: 'enc-1', use: 'enc' }] })
  const keys = createJwksKeys({ url, refetchIntervalMs: 60_000 })
  await t.rejects(keys.key(ISS, 'enc-1', 'RS256'), /no key enc-1/)
})

t.test('JWKS keys › a key is only used for the algorithm it fits', async t => {
  const { state, url } = await jwksServer(t, [rsa, ec])
  const keys = createJwksKeys({ url, refetchIntervalMs: 60_000 })
  await t.rejects(keys.key(ISS, 'ec-1', 'RS256'), /cannot verify RS256/, 'EC key for RS256')
  await t.rejects(keys.key(ISS, 'rsa-1', 'ES256'), /cannot verify ES256/, 'RSA key for ES256')
  await t.rejects(keys.key(ISS, 'rsa-1', 'HS256'), /HS256 is not accepted/, 'no public key ever becomes an HMAC secret')
  state.body = JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'ps', alg: 'PS256' }] })
  const other = createJwksKeys({ url, refetchIntervalMs: 60_000 })
  await t.rejects(other.key(ISS, 'ps', 'RS256'), /cannot verify RS256/, 'the JWK names another algorithm')
})

t.test('JWKS keys › issuers taken from tokens cannot grow the cache without bound', async t => {
  const { state, url } = await jwksServer(t, [ec])
  const keys = createJwksKeys({ url, refetchIntervalMs: 60_000 })
  for (let i = 0; i < 1100; i++) await keys.key(`iss-${i}`, 'ec-1', 'ES256')
  t.equal(state.fetches, 1)
})
