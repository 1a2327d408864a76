import { createPublicKey, type JsonWebKey } from 'node:crypto'

export interface JwksOptions {
  /** The identity provider's key set (JWKS_URL). */
  url: string
  /** Least time between two fetches caused by an unknown `kid` (JWKS_REFETCH_INTERVAL_MS). */
  refetchIntervalMs: number
  /** A key set older than this is fetched again on the next lookup (revoked keys drop out). */
  maxAgeMs?: number
  timeoutMs?: number
}

/** Which JWK may verify which algorithm: RS256 an RSA key, ES256 a P-256 key. */
const KEY_TYPES: Record<string, { kty: string, crv?: string }> = {
  RS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' }
}

const MAX_RESOLVED = 1024

export class JwksError extends Error {}

type Jwk = JsonWebKey & { kid?: string, alg?: string, use?: string }

/**
 * Public keys of an identity provider, resolved by (issuer, kid) and cached
 * under both: a kid is never trusted alone. The key set is fetched once, again
 * when it is older than `maxAgeMs`, and again on an unknown kid, but never
 * more often than `refetchIntervalMs` (tokens with random kids cannot turn
 * the service into a flood against the provider). Concurrent lookups share
 * one fetch.
 */
export function createJwksKeys (opts: JwksOptions) {
  const maxAgeMs = opts.maxAgeMs ?? 10 * 60_000
  let document = new Map<string, Jwk>()
  let fetchedAt = -Infinity
  let inflight: Promise<void> | undefined
  const resolved = new Map<string, string>()

  async function download (): Promise<void> {
    const res = await fetch(opts.url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5000), headers: { accept: 'application/json' } })
    if (!res.ok) throw new JwksError(`JWKS answered HTTP ${res.status}`)
    const body = await res.json() as { keys?: unknown }
    if (!Array.isArray(body.keys)) throw new JwksError('JWKS has no "keys" array')
    const keys = (body.keys as Jwk[]).filter(k => typeof k.kid === 'string' && k.use !== 'enc')
    document = new Map(keys.map(k => [k.kid as string, k]))
    resolved.clear()
  }

  /** A failed fetch keeps the previous key set and still counts against the interval. */
  function refresh (): Promise<void> {
    fetchedAt = Date.now()
    inflight = download().finally(() => { inflight = undefined })
    return inflight
  }

  /**
   * Fetch again when `due`, or wait for a fetch already under way (never a second one).
   * With a key set already in hand, an unreachable provider leaves it in use.
   */
  async function refreshIf (due: () => boolean): Promise<void> {
    if (inflight === undefined && !due()) return
    await (inflight ?? refresh()).catch((err: unknown) => {
      if (document.size === 0) throw err
    })
  }

  return {
    /** The PEM public key for a token's issuer, kid and algorithm; throws JwksError when there is none. */
    async key (issuer: string, kid: string, alg: string): Promise<string> {
      const expected = KEY_TYPES[alg]
      if (expected === undefined) throw new JwksError(`algorithm ${alg} is not accepted from the JWKS`)
      await refreshIf(() => Date.now() - fetchedAt >= maxAgeMs)
      const id = `${issuer}\n${kid}\n${alg}`
      const cached = resolved.get(id)
      if (cached !== undefined) return cached
      await refreshIf(() => !document.has(kid) && Date.now() - fetchedAt >= opts.refetchIntervalMs)
      const jwk = document.get(kid)
      if (jwk === undefined) throw new JwksError(`no key ${kid} in the JWKS`)
      if (jwk.kty !== expected.kty || jwk.crv !== expected.crv || (jwk.alg !== undefined && jwk.alg !== alg)) {
        throw new JwksError(`key ${kid} cannot verify ${alg}`)
      }
      const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string
      // Issuers come from unverified tokens: bound what they can make us remember.
      if (resolved.size >= MAX_RESOLVED) resolved.clear()
      resolved.set(id, pem)
      return pem
    }
  }
}
