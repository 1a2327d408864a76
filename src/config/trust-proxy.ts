import { isIP } from 'node:net'
import { ConfigError } from './error.js'

/** Fastify's `trustProxy` in the forms that cannot let a client choose its own address: none, a hop count, proxy addresses. */
export type TrustProxy = false | number | string[]

const OFF = /^(?:false|no|off|0)$/i
const ON = /^(?:true|yes|on)$/i
const HOPS = /^\d+$/

function isAddressOrRange (entry: string): boolean {
  const [address, prefix, extra] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

/**
 * TRUST_PROXY as Fastify takes it. `true` is refused: it trusts every
 * X-Forwarded-For entry, so the left-most one, which the client writes, would
 * become its address (per-IP caps, IP binding, rate limits and logs).
 */
export function trustProxyOf (value: unknown): TrustProxy {
  if (value === false) return false
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value === 0 ? false : value
  const text = Array.isArray(value) ? value.join(',') : String(value).trim()
  if (OFF.test(text)) return false
  if (ON.test(text)) {
    throw new ConfigError('TRUST_PROXY=true is refused: it lets a client choose its own address through X-Forwarded-For. ' +
      'Set the number of proxy hops in front of the service (e.g. 1) or their addresses/CIDR ranges')
  }
  if (HOPS.test(text)) return Number(text)
  const entries = text.split(',').map(s => s.trim()).filter(s => s !== '')
  const bad = entries.find(entry => !isAddressOrRange(entry))
  if (bad !== undefined || entries.length === 0) {
    throw new ConfigError(`Invalid environment variable TRUST_PROXY=${JSON.stringify(text)}: expected false, a hop count, or proxy addresses/CIDR ranges (${bad ?? text})`)
  }
  return entries
}

/**
 * The option Fastify takes. Fastify 5 treats a bare hop count as "trust
 * nothing" (it cannot tell a proxy from a direct client), so hops become the
 * function proxy-addr would have made: the first `hops` addresses from the
 * socket inwards are proxies. A direct client can then write its own address:
 * the service must be reachable only through the proxies (docs/operations.md).
 */
export function fastifyTrustProxy (trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust
  return (_address, hop) => hop < trust
}
