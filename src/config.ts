import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const Bool = (description: string, dflt = false) =>
  Type.Boolean({ default: dflt, description })
const Int = (description: string, dflt: number, minimum = 1, maximum = Number.MAX_SAFE_INTEGER) =>
  Type.Integer({ default: dflt, minimum, maximum, description })
const Str = (description: string) => Type.Optional(Type.String({ minLength: 1, description }))

/** Every environment variable the service reads, with its default: PROTOCOL.md §5 and the issues that extend it. */
export const EnvSchema = Type.Object({
  PORT: Int('One port for HTTP and WebSocket', 3000, 0, 65535),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1, description: 'Address to listen on' }),
  NODE_ENV: Type.String({ default: 'development', minLength: 1, description: '`production` enforces JWT_SECRET and CHAT_SERVER_KEYS' }),
  JWT_SECRET: Str('HS256 secret for user JWTs (a fixed development secret outside production)'),
  JWKS_URL: Str('JWKS of an identity provider: verify RS256/ES256 user JWTs'),
  JWT_ISSUER: Str('Required `iss` of user JWTs'),
  JWT_AUDIENCE: Str('Required `aud` of user JWTs'),
  TICKET_BIND_IP: Bool('Refuse redemption from another client IP (IP_MISMATCH)'),
  TRUST_PROXY: Bool('Trust X-Forwarded-For from a proxy in front of the service'),
  CHAT_SERVER_KEYS: Str('Comma-separated allow-list of chat server keys (UD21,Host,Reserve outside production)'),
  TICKET_TTL_SECONDS: Type.Optional(Type.Integer({ minimum: 1, description: 'Ticket lifetime in seconds (default 7200)' })),
  TICKET_EXPIRY_HOURS: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Ticket lifetime in hours; TICKET_TTL_SECONDS wins' })),
  AUTH_TIMEOUT_MS: Int('Time a new connection has to authenticate', 30_000),
  SESSION_TTL_SECONDS: Int('Session record lifetime', 86_400),
  TICKET_RATE_LIMIT: Int('Tickets per user per window', 10),
  RATE_WINDOW_MINUTES: Type.Number({ default: 1, exclusiveMinimum: 0, description: 'Ticket rate window in minutes' }),
  REDIS_URL: Str('Use Redis (redis://…); without it the store is in-process memory'),
  REDIS_HOST: Str('Redis host, when REDIS_URL is not set'),
  REDIS_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Redis port, with REDIS_HOST (default 6379)' })),
  REDIS_PASSWORD: Str('Redis password, with REDIS_HOST or REDIS_CLUSTER_NODES'),
  REDIS_CLUSTER_NODES: Str('Use Redis Cluster: comma-separated host:port startup nodes (takes precedence over REDIS_URL)'),
  REDIS_KEY_PREFIX: Type.String({ default: 'wsauth:', description: 'Prefix of every Redis key (and rate-limit key) this service writes' }),
  REDIS_COMMAND_TIMEOUT_MS: Int('Longest wait for one Redis reply before the request fails with 503 / AUTH_ERROR', 2000, 50, 60_000),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'Use PostgreSQL (postgres://user:pass@host:5432/db)' })),
  STORE: Type.Optional(Type.Union(['memory', 'redis', 'postgres'].map(s => Type.Literal(s)), { description: 'redis, postgres or memory: required when both REDIS_URL and DATABASE_URL are set' })),
  PG_POOL_MAX: Int('PostgreSQL connections per instance (plus one for LISTEN)', 10, 1, 1000),
  PG_CONNECT_TIMEOUT_MS: Int('Longest wait for a PostgreSQL connection', 2000),
  PG_QUERY_TIMEOUT_MS: Int('Longest a PostgreSQL statement may run', 5000),
  PG_CLEANUP_INTERVAL_MS: Int('Time between runs of the PostgreSQL cleanup job', 60_000),
  PG_CLEANUP_BATCH_SIZE: Int('Rows deleted per statement by the cleanup job', 1000, 1, 100_000),
  ALLOWED_ORIGINS: Str('Comma-separated CORS and WebSocket Origin allow-list'),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(l => Type.Literal(l)), { default: 'info', description: 'pino level' }),
  ENABLE_METRICS: Bool('Prometheus text at GET /metrics'),
  MAX_CONNECTIONS_PER_IP: Int('Open sockets per client IP', 100),
  MAX_SESSIONS_PER_USER: Int('Live sessions per user', 20),
  MESSAGE_RATE_LIMIT: Int('Messages per connection per 60 s', 120),
  BODY_LIMIT_BYTES: Int('Largest accepted HTTP body', 16 * 1024),
  MAX_MESSAGE_BYTES: Int('Largest accepted WebSocket frame (larger closes 1009)', 64 * 1024),
  HEARTBEAT_INTERVAL_MS: Int('WebSocket ping interval; a peer silent for two intervals is terminated', 30_000),
  DEMO_PAGE: Bool('Serve the demo chat page at / and its development token route (never when NODE_ENV=production)', true),
  SHUTDOWN_TIMEOUT_MS: Int('On SIGTERM/SIGINT: the longest the drain (sockets, requests, sessions) may take; done within it the process exits 0, past it exits 1', 10_000),
  METRICS_TOKEN: Str('Bearer token GET /metrics requires (open when unset)'),
  JWKS_REFETCH_INTERVAL_MS: Int('Least time between two JWKS fetches caused by an unknown `kid`', 30_000, 0),
  LEGACY_TOKEN_AUTH: Bool('Migration mode: also accept {type:"authenticate", token:<JWT>} as the first frame (deprecated)'),
  MAX_UNAUTHENTICATED_SOCKETS: Int('Sockets of this instance not yet authenticated; beyond it the upgrade is refused 503 UNAUTHENTICATED_LIMIT', 1000),
  MAX_BUFFERED_BYTES: Int('Bytes queued for one socket that does not read; beyond it the socket is terminated', 1024 * 1024),
  HEADERS_TIMEOUT_MS: Int('Time a client has to send complete HTTP headers (upgrades included)', 10_000),
  REQUEST_TIMEOUT_MS: Int('Time a client has to send a complete HTTP request; at least HEADERS_TIMEOUT_MS', 30_000)
})
export type Env = Static<typeof EnvSchema>

export const DEV_JWT_SECRET = 'development-only-secret-change-me'
const DEV_SERVER_KEYS = ['UD21', 'Host', 'Reserve']

export class ConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

const BOOLEANS: Record<string, boolean> = { true: true, 1: true, yes: true, on: true, false: false, 0: false, no: false, off: false }
const NUMBER = /^-?\d+(\.\d+)?$/

/** A variable's text as its schema's type; text that does not convert stays text and fails the check. */
function convert (type: unknown, value: string): unknown {
  if ((type === 'integer' || type === 'number') && NUMBER.test(value)) return Number(value)
  if (type === 'boolean') return BOOLEANS[value.toLowerCase()] ?? value
  return value
}

const list = (value: string | undefined): string[] | undefined =>
  value?.split(',').map(s => s.trim()).filter(s => s !== '')

/** Read, default and check the environment; throws ConfigError naming the variable at fault. */
export function loadConfig (env: Record<string, string | undefined> = process.env) {
  const raw: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const value = env[key]?.trim()
    if (value !== undefined && value !== '') raw[key] = convert(schema.type, value)
  }
  const converted = Value.Default(EnvSchema, raw)
  const error = Value.Errors(EnvSchema, converted).First()
  if (error !== undefined) {
    const name = error.path.split('/')[1]
    throw new ConfigError(`Invalid environment variable ${name}=${JSON.stringify(raw[name])}: ${error.message}`)
  }
  return fromEnv(converted as Env)
}

function fromEnv (e: Env) {
  const production = e.NODE_ENV === 'production'
  const store = storeChoice(e)
  const chatServerKeys = list(e.CHAT_SERVER_KEYS) ?? (production ? [] : DEV_SERVER_KEYS)
  if (production && e.JWT_SECRET === undefined && e.JWKS_URL === undefined) {
    throw new ConfigError('JWT_SECRET (or JWKS_URL) must be set when NODE_ENV=production')
  }
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) {
    throw new ConfigError('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS')
  }
  if (chatServerKeys.length === 0) {
    throw new ConfigError('CHAT_SERVER_KEYS must list at least one key when NODE_ENV=production')
  }
  const ownOrigins = production ? [] : [`http://localhost:${e.PORT}`, `http://127.0.0.1:${e.PORT}`]
  const ticketTtlSeconds = e.TICKET_TTL_SECONDS ??
    (e.TICKET_EXPIRY_HOURS === undefined ? 7200 : Math.round(e.TICKET_EXPIRY_HOURS * 3600))
  return {
    port: e.PORT,
    host: e.HOST,
    production,
    jwtSecret: e.JWT_SECRET ?? (e.JWKS_URL === undefined ? DEV_JWT_SECRET : undefined),
    jwksUrl: e.JWKS_URL,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    ticketBindIp: e.TICKET_BIND_IP,
    trustProxy: e.TRUST_PROXY,
    chatServerKeys,
    ticketTtlSeconds,
    authTimeoutMs: e.AUTH_TIMEOUT_MS,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    ticketRateLimit: e.TICKET_RATE_LIMIT,
    rateWindowMs: Math.round(e.RATE_WINDOW_MINUTES * 60_000),
    redis: store === 'redis' ? redisOptions(e) : undefined,
    store,
    postgres: store === 'postgres' ? postgresOptions(e) : undefined,
    allowedOrigins: [...new Set([...list(e.ALLOWED_ORIGINS) ?? ['http://localhost:3000'], ...ownOrigins])],
    logLevel: e.LOG_LEVEL,
    enableMetrics: e.ENABLE_METRICS,
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    maxSessionsPerUser: e.MAX_SESSIONS_PER_USER,
    messageRateLimit: e.MESSAGE_RATE_LIMIT,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    demoPage: e.DEMO_PAGE && !production,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    jwksRefetchIntervalMs: e.JWKS_REFETCH_INTERVAL_MS,
    legacyTokenAuth: e.LEGACY_TOKEN_AUTH,
    maxUnauthenticatedSockets: e.MAX_UNAUTHENTICATED_SOCKETS,
    maxBufferedBytes: e.MAX_BUFFERED_BYTES,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS
  }
}

export interface RedisConfig {
  url?: string
  host?: string
  port?: number
  password?: string
  /** Set: a Redis Cluster reached through these startup nodes. */
  clusterNodes?: Array<{ host: string, port: number }>
  keyPrefix: string
  commandTimeoutMs: number
}

function redisOptions (e: Env): RedisConfig | undefined {
  const common = { keyPrefix: e.REDIS_KEY_PREFIX, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS }
  if (e.REDIS_CLUSTER_NODES !== undefined) return { clusterNodes: clusterNodes(e.REDIS_CLUSTER_NODES), password: e.REDIS_PASSWORD, ...common }
  if (e.REDIS_URL !== undefined) return { url: e.REDIS_URL, ...common }
  if (e.REDIS_HOST !== undefined) return { host: e.REDIS_HOST, port: e.REDIS_PORT ?? 6379, password: e.REDIS_PASSWORD, ...common }
  return undefined
}

/** `host:port,host:port,…` (IPv6 hosts without brackets: the port is after the last colon). */
function clusterNodes (value: string): Array<{ host: string, port: number }> {
  const nodes = (list(value) as string[]).map(node => {
    const at = node.lastIndexOf(':')
    return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
  })
  if (nodes.length === 0 || nodes.some(n => n.host === '' || !Number.isInteger(n.port) || n.port < 1 || n.port > 65535)) {
    throw new ConfigError(`Invalid environment variable REDIS_CLUSTER_NODES=${JSON.stringify(value)}: expected host:port,host:port,…`)
  }
  return nodes
}

/** DATABASE_URL or REDIS_URL select their store; with both, STORE must say which. */
function storeChoice (e: Env): 'memory' | 'redis' | 'postgres' {
  const redis = redisOptions(e) !== undefined
  const postgres = e.DATABASE_URL !== undefined
  if (e.STORE === 'redis' && !redis) throw new ConfigError('STORE=redis needs REDIS_URL (or REDIS_HOST)')
  if (e.STORE === 'postgres' && !postgres) throw new ConfigError('STORE=postgres needs DATABASE_URL')
  if (e.STORE !== undefined) return e.STORE as 'memory' | 'redis' | 'postgres'
  if (redis && postgres) throw new ConfigError('Both REDIS_URL and DATABASE_URL are set: choose one with STORE=redis|postgres|memory')
  return redis ? 'redis' : postgres ? 'postgres' : 'memory'
}

function postgresOptions (e: Env) {
  return {
    url: e.DATABASE_URL as string,
    poolMax: e.PG_POOL_MAX,
    connectTimeoutMs: e.PG_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: e.PG_QUERY_TIMEOUT_MS,
    cleanupIntervalMs: e.PG_CLEANUP_INTERVAL_MS,
    cleanupBatchSize: e.PG_CLEANUP_BATCH_SIZE
  }
}

export type AppConfig = ReturnType<typeof fromEnv>

/** Library mode: any part of an AppConfig; what is left out takes loadConfig's defaults. */
export type ConfigOverrides = Partial<AppConfig>

/**
 * A configuration for the plugin from a partial one, checked by the same rules
 * as the environment (production needs a secret and keys) but read from the
 * caller, never from process.env. The demo page stays off unless asked for.
 */
export function resolveConfig (overrides: ConfigOverrides = {}): AppConfig {
  if (overrides.chatServerKeys?.length === 0) throw new ConfigError('chatServerKeys must list at least one key')
  const defaults = loadConfig({
    NODE_ENV: overrides.production === true ? 'production' : 'development',
    PORT: overrides.port?.toString(),
    JWT_SECRET: overrides.jwtSecret,
    JWKS_URL: overrides.jwksUrl,
    CHAT_SERVER_KEYS: overrides.chatServerKeys?.join(','),
    DEMO_PAGE: 'false'
  })
  // Left-out and undefined fields keep the defaults; the demo page is never served in production.
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined))
  const config = { ...defaults, ...given }
  return { ...config, demoPage: config.demoPage && !config.production }
}
