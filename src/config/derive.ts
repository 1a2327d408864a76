import { STORE_DEFAULTS } from '../stores/defaults.js'
import { DEFAULT_TICKET_TTL_SECONDS, UPSTREAM_SECRET_MIN_LENGTH, type Settings } from './schema.js'
import { ConfigError } from './error.js'
import { trustProxyOf } from './trust-proxy.js'

export const DEV_JWT_SECRET = 'development-only-secret-change-me'
const DEV_SERVER_KEYS = ['UD21', 'Host', 'Reserve']

export { ConfigError }

const list = (value: string | undefined): string[] | undefined =>
  value?.split(',').map(s => s.trim()).filter(s => s !== '')

/** The configuration from checked settings: lists split, choices made, cross-field rules enforced. */
export function fromSettings (s: Settings) {
  const {
    nodeEnv, jwtSecret, chatServerKeys: keyList, ticketTtlSeconds: ttl, ticketExpiryHours, rateWindowMinutes, allowedOrigins,
    redisUrl, redisHost, redisPort, redisPassword, redisClusterNodes, redisKeyPrefix, redisCommandTimeoutMs, databaseUrl,
    redisSentinels, redisSentinelName, redisSentinelPassword, redisWaitReplicas, redisWaitTimeoutMs,
    pgPoolMax, pgConnectTimeoutMs, pgQueryTimeoutMs, pgCleanupIntervalMs, pgCleanupBatchSize, demoPage, backendApiKeys: backendList,
    upstreamUrl, upstreamSecret, upstreamConnectTimeoutMs, trustProxy, ...passThrough
  } = s
  const production = nodeEnv === 'production'
  const store = storeChoice(s)
  const chatServerKeys = list(keyList) ?? (production ? [] : DEV_SERVER_KEYS)
  if (production && jwtSecret === undefined && s.jwksUrl === undefined) {
    throw new ConfigError('JWT_SECRET (or JWKS_URL) must be set when NODE_ENV=production')
  }
  if (s.headersTimeoutMs > s.requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS')
  if (chatServerKeys.length === 0) throw new ConfigError('CHAT_SERVER_KEYS must list at least one key when NODE_ENV=production')
  const backendApiKeys = list(backendList) ?? []
  // Chat-server keys travel with browser requests: one of them must never open the backend API.
  if (backendApiKeys.some(key => chatServerKeys.includes(key))) throw new ConfigError('BACKEND_API_KEYS must not reuse a key of CHAT_SERVER_KEYS')
  const ownOrigins = production ? [] : [`http://localhost:${s.port}`, `http://127.0.0.1:${s.port}`]
  return {
    ...passThrough,
    production,
    trustProxy: trustProxyOf(trustProxy),
    jwtSecret: jwtSecret ?? (s.jwksUrl === undefined ? DEV_JWT_SECRET : undefined),
    chatServerKeys,
    backendApiKeys,
    ticketTtlSeconds: ttl ?? (ticketExpiryHours === undefined ? DEFAULT_TICKET_TTL_SECONDS : Math.round(ticketExpiryHours * 3600)),
    rateWindowMs: Math.round(rateWindowMinutes * 60_000),
    redis: store === 'redis' ? redisOptions(s) : undefined,
    store,
    postgres: store === 'postgres'
      ? {
          url: databaseUrl as string,
          poolMax: pgPoolMax,
          connectTimeoutMs: pgConnectTimeoutMs,
          queryTimeoutMs: pgQueryTimeoutMs,
          cleanupIntervalMs: pgCleanupIntervalMs,
          cleanupBatchSize: pgCleanupBatchSize
        }
      : undefined,
    allowedOrigins: [...new Set([...list(allowedOrigins) ?? ['http://localhost:3000'], ...ownOrigins])],
    demoPage: demoPage && !production,
    upstream: upstreamOptions(upstreamUrl, upstreamSecret, upstreamConnectTimeoutMs)
  }
}

/** Gateway mode: the chat server behind the service and the secret of the identity it trusts. */
export interface UpstreamConfig { url: string, secret: string, connectTimeoutMs: number }

function upstreamOptions (url: string | undefined, secret: string | undefined, connectTimeoutMs: number): UpstreamConfig | undefined {
  if (url === undefined) return undefined
  // A short secret would let anyone who reaches the chat server forge identities.
  if (secret === undefined || secret.length < UPSTREAM_SECRET_MIN_LENGTH) {
    throw new ConfigError(`UPSTREAM_SECRET must be set to at least ${UPSTREAM_SECRET_MIN_LENGTH} characters when UPSTREAM_URL is set`)
  }
  return { url, secret, connectTimeoutMs }
}

export type AppConfig = ReturnType<typeof fromSettings>

export interface HostPort { host: string, port: number }

export interface RedisConfig {
  url?: string
  host?: string
  port?: number
  password?: string
  /** Set: a Redis Cluster reached through these startup nodes. */
  clusterNodes?: HostPort[]
  /** Set: the master named `sentinelName`, found through these sentinels. */
  sentinels?: HostPort[]
  sentinelName?: string
  sentinelPassword?: string
  keyPrefix: string
  commandTimeoutMs: number
  /** Replicas that must acknowledge a consume (§8), and how long to wait for them. */
  waitReplicas: number
  waitTimeoutMs: number
}

function redisOptions (s: Settings): RedisConfig | undefined {
  const common = {
    keyPrefix: s.redisKeyPrefix,
    commandTimeoutMs: s.redisCommandTimeoutMs,
    waitReplicas: s.redisWaitReplicas,
    waitTimeoutMs: s.redisWaitTimeoutMs
  }
  checkTopology(s)
  if (s.redisClusterNodes !== undefined) return { clusterNodes: hostPorts('REDIS_CLUSTER_NODES', s.redisClusterNodes), password: s.redisPassword, ...common }
  if (s.redisSentinels !== undefined) {
    const sentinels = hostPorts('REDIS_SENTINELS', s.redisSentinels)
    return { sentinels, sentinelName: s.redisSentinelName, sentinelPassword: s.redisSentinelPassword, password: s.redisPassword, ...common }
  }
  if (s.redisUrl !== undefined) return { url: s.redisUrl, ...common }
  if (s.redisHost !== undefined) return { host: s.redisHost, port: s.redisPort ?? STORE_DEFAULTS.redisPort, password: s.redisPassword, ...common }
  return undefined
}

/** The Sentinel and WAIT variables that only make sense together. */
function checkTopology (s: Settings): void {
  if (s.redisWaitReplicas > 0 && s.redisWaitTimeoutMs >= s.redisCommandTimeoutMs) {
    // Otherwise a WAIT still within its own timeout would be cut off as a lost reply.
    throw new ConfigError('REDIS_WAIT_TIMEOUT_MS must be below REDIS_COMMAND_TIMEOUT_MS')
  }
  if ((s.redisSentinels === undefined) !== (s.redisSentinelName === undefined)) {
    throw new ConfigError('REDIS_SENTINELS and REDIS_SENTINEL_NAME go together: set both or neither')
  }
  if (s.redisSentinels !== undefined && s.redisClusterNodes !== undefined) {
    throw new ConfigError('REDIS_SENTINELS and REDIS_CLUSTER_NODES exclude each other: choose one topology')
  }
}

/** `host:port,host:port,…` (IPv6 hosts without brackets: the port is after the last colon). */
function hostPorts (name: string, value: string): HostPort[] {
  const nodes = (list(value) as string[]).map(node => {
    const at = node.lastIndexOf(':')
    return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
  })
  if (nodes.length === 0 || nodes.some(n => n.host === '' || !Number.isInteger(n.port) || n.port < 1 || n.port > 65535)) {
    throw new ConfigError(`Invalid environment variable ${name}=${JSON.stringify(value)}: expected host:port,host:port,…`)
  }
  return nodes
}

/** DATABASE_URL or REDIS_URL select their store; with both, STORE must say which. */
function storeChoice (s: Settings): 'memory' | 'redis' | 'postgres' {
  const redis = redisOptions(s) !== undefined
  const postgres = s.databaseUrl !== undefined
  if (s.store === 'redis' && !redis) throw new ConfigError('STORE=redis needs REDIS_URL (or REDIS_HOST)')
  if (s.store === 'postgres' && !postgres) throw new ConfigError('STORE=postgres needs DATABASE_URL')
  if (s.store !== undefined) return s.store as 'memory' | 'redis' | 'postgres'
  if (redis && postgres) throw new ConfigError('Both REDIS_URL and DATABASE_URL are set: choose one with STORE=redis|postgres|memory')
  return redis ? 'redis' : postgres ? 'postgres' : 'memory'
}
