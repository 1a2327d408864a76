import { createServer } from 'node:http'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { createSigner } from 'fast-jwt'

type Tap = { teardown: (fn: () => unknown) => void }

/** A signing key of a fake identity provider. */
export interface ProviderKey {
  kid: string
  alg: 'RS256' | 'ES256'
  privateKey: KeyObject
  publicKey: KeyObject
}

export function providerKey (kid: string, alg: 'RS256' | 'ES256' = 'RS256'): ProviderKey {
  const pair = alg === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { kid, alg, ...pair }
}

/** Sign a user JWT the way the provider would. */
export function providerToken (key: ProviderKey, claims: Record<string, unknown>): string {
  const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  return createSigner({ key: pem, algorithm: key.alg, kid: key.kid, expiresIn: 60_000 })(claims)
}

/**
 * An identity provider's JWKS endpoint served by the test itself: the keys it
 * publishes can be changed (rotation), and every fetch is counted.
 */
export async function jwksServer (t: Tap, keys: ProviderKey[]) {
  const state = { keys, fetches: 0, status: 200, body: undefined as string | undefined }
  const server = createServer((_req, res) => {
    state.fetches++
    const jwks = { keys: state.keys.map(k => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })) }
    res.writeHead(state.status, { 'content-type': 'application/json' })
    res.end(state.body ?? JSON.stringify(jwks))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  const { port } = server.address() as AddressInfo
  return { state, url: `http://127.0.0.1:${port}/.well-known/jwks.json` }
}
