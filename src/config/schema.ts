import { Type, type Static } from '@sinclair/typebox'
import { STORE_DEFAULTS } from '../stores/defaults.js'

/** Without TICKET_TTL_SECONDS or TICKET_EXPIRY_HOURS (PROTOCOL.md §5: two hours). */
export const DEFAULT_TICKET_TTL_SECONDS = 7200
/** PROTOCOL.md §7: an identity secret shorter than this is refused at start. */
export const UPSTREAM_SECRET_MIN_LENGTH = 32
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
  TRUST_PROXY: Type.Union([Type.Literal(false), Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], {
    default: false,
    description: 'Proxies in front of the service: `false`, the number of hops (e.g. `1` behind one load balancer), or their comma-separated addresses/CIDR ranges; the client address is read from the right of X-Forwarded-For past them only. `true` is refused'
  }),
  CHAT_SERVER_KEYS: Str('Comma-separated allow-list of chat server keys (UD21,Host,Reserve outside production)'),
  TICKET_TTL_SECONDS: Type.Optional(Type.Integer({ minimum: 1, description: `Ticket lifetime in seconds (default ${DEFAULT_TICKET_TTL_SECONDS})` })),
  TICKET_EXPIRY_HOURS: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Ticket lifetime in hours; TICKET_TTL_SECONDS wins' })),
  AUTH_TIMEOUT_MS: Int('Time a new connection has to authenticate', 30_000),
  SESSION_TTL_SECONDS: Int('Longest a session lives before it must be refreshed (expiresAt = authentication + this)', 86_400),
  // Session lifetime (PROTOCOL.md §3, docs/sessions.md).
  SESSION_LEASE_SECONDS: Int('How long the sessions of an instance that died stay listed and counted; live ones are renewed every third of it', 90, 2),
  SESSION_FOLLOWS_TOKEN_EXPIRY: Bool('A session ends no later than the `exp` of the user JWT its ticket came from', true),
  SESSION_EXPIRY_NOTICE_SECONDS: Int('`session_expiring` is sent this long before expiresAt', 60, 0),
  TICKET_RATE_LIMIT: Int('Tickets per user per window', 10),
  RATE_WINDOW_MINUTES: Type.Number({ default: 1, exclusiveMinimum: 0, description: 'Ticket rate window in minutes' }),
  REDIS_URL: Str('Use Redis (redis://…); without it the store is in-process memory'),
  REDIS_HOST: Str('Redis host, when REDIS_URL is not set'),
  REDIS_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: `Redis port, with REDIS_HOST (default ${STORE_DEFAULTS.redisPort})` })),
  REDIS_PASSWORD: Str('Redis password, with REDIS_HOST, REDIS_SENTINELS or REDIS_CLUSTER_NODES'),
  REDIS_CLUSTER_NODES: Str('Use Redis Cluster: comma-separated host:port startup nodes (takes precedence over REDIS_URL)'),
  REDIS_KEY_PREFIX: Type.String({ default: STORE_DEFAULTS.redisKeyPrefix, description: 'Prefix of every Redis key (and rate-limit key) this service writes' }),
  REDIS_COMMAND_TIMEOUT_MS: Int('Longest wait for one Redis reply before the request fails with 503 / AUTH_ERROR', STORE_DEFAULTS.redisCommandTimeoutMs, 50, 60_000),
  REDIS_SENTINELS: Str('Use Redis through Sentinel: comma-separated host:port of the sentinels (with REDIS_SENTINEL_NAME)'),
  REDIS_SENTINEL_NAME: Str('Name of the master the sentinels monitor'),
  REDIS_SENTINEL_PASSWORD: Str('Password of the sentinels themselves, when they require one (REDIS_PASSWORD is the data nodes\')'),
  REDIS_WAIT_REPLICAS: Int('Replicas that must acknowledge a ticket consume (Redis WAIT) before it counts; 0: no wait', STORE_DEFAULTS.redisWaitReplicas, 0, 100),
  REDIS_WAIT_TIMEOUT_MS: Int('Longest wait for those acknowledgements; fewer fail the authentication AUTH_ERROR', STORE_DEFAULTS.redisWaitTimeoutMs, 1, 60_000),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'Use PostgreSQL (postgres://user:pass@host:5432/db)' })),
  STORE: Type.Optional(Type.Union(['memory', 'redis', 'postgres'].map(s => Type.Literal(s)), { description: 'redis, postgres or memory: required when both REDIS_URL and DATABASE_URL are set' })),
  PG_POOL_MAX: Int('PostgreSQL connections per instance (plus one for LISTEN)', STORE_DEFAULTS.pgPoolMax, 1, 1000),
  PG_CONNECT_TIMEOUT_MS: Int('Longest wait for a PostgreSQL connection', STORE_DEFAULTS.pgConnectTimeoutMs),
  PG_QUERY_TIMEOUT_MS: Int('Longest a PostgreSQL statement may run', STORE_DEFAULTS.pgQueryTimeoutMs),
  PG_CLEANUP_INTERVAL_MS: Int('Time between runs of the PostgreSQL cleanup job', STORE_DEFAULTS.pgCleanupIntervalMs),
  PG_CLEANUP_BATCH_SIZE: Int('Rows deleted per statement by the cleanup job', STORE_DEFAULTS.pgCleanupBatchSize, 1, 100_000),
  ALLOWED_ORIGINS: Str('Comma-separated CORS and WebSocket Origin allow-list'),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(l => Type.Literal(l)), { default: 'info', description: 'pino level' }),
  ENABLE_METRICS: Bool('Prometheus text at GET /metrics'),
  MAX_CONNECTIONS_PER_IP: Int('Open sockets per client IP', 100),
  MAX_SESSIONS_PER_USER: Int('Live sessions per user', 20),
  MESSAGE_RATE_LIMIT: Int('Messages per connection per 60 s', 120),
  BODY_LIMIT_BYTES: Int('Largest accepted HTTP body', 16 * 1024),
  MAX_MESSAGE_BYTES: Int('Largest accepted WebSocket frame (larger closes 1009) and backend-API message (larger: 413)', 64 * 1024),
  HEARTBEAT_INTERVAL_MS: Int('WebSocket ping interval; a peer silent for two intervals is terminated', 30_000),
  DEMO_PAGE: Bool('Serve the demo chat page at / and its development token route (never when NODE_ENV=production)', true),
  SHUTDOWN_TIMEOUT_MS: Int('On SIGTERM/SIGINT: the longest the drain (sockets, requests, sessions) may take; done within it the process exits 0, past it exits 1', 10_000),
  METRICS_TOKEN: Str('Bearer token GET /metrics requires (open when unset)'),
  JWKS_REFETCH_INTERVAL_MS: Int('Least time between two JWKS fetches caused by an unknown `kid`', 30_000, 0),
  LEGACY_TOKEN_AUTH: Bool('Migration mode: also accept {type:"authenticate", token:<JWT>} as the first frame (deprecated)'),
  MAX_UNAUTHENTICATED_SOCKETS: Int('Sockets of this instance not yet authenticated; beyond it the upgrade is refused 503 UNAUTHENTICATED_LIMIT', 1000),
  MAX_BUFFERED_BYTES: Int('Bytes queued for one socket that does not read; beyond it the socket is terminated (gateway mode: relayed frames pause the other side at half of it)', 1024 * 1024),
  HEADERS_TIMEOUT_MS: Int('Time a client has to send complete HTTP headers (upgrades included)', 10_000),
  REQUEST_TIMEOUT_MS: Int('Time a client has to send a complete HTTP request; at least HEADERS_TIMEOUT_MS', 30_000),
  // The backend API (PROTOCOL.md §6)
  BACKEND_API_KEYS: Str('Comma-separated keys of the backend API (Authorization: Bearer <key>); unset: that API is off (404)'),
  // Gateway mode (docs/gateway.md): every authenticated session relayed to the chat server behind the service
  UPSTREAM_URL: Type.Optional(Type.String({ pattern: '^wss?://', description: 'Gateway mode: the chat server (ws:// or wss://) each authenticated session is relayed to' })),
  UPSTREAM_SECRET: Str(`HS256 secret of the X-Ws-Auth-Identity JWT the upstream receives; required with UPSTREAM_URL, at least ${UPSTREAM_SECRET_MIN_LENGTH} characters`),
  UPSTREAM_CONNECT_TIMEOUT_MS: Int('Longest wait for the upstream\'s WebSocket handshake; beyond it UPSTREAM_UNAVAILABLE', 5000)
})
export type Env = Static<typeof EnvSchema>

/** `REDIS_KEY_PREFIX` → `redisKeyPrefix`: a setting's name in code, derived from its variable's name. */
type Camel<S extends string> = S extends `${infer Head}_${infer Rest}` ? `${Lowercase<Head>}${Capitalize<Camel<Rest>>}` : Lowercase<S>
export const camel = (name: string): string =>
  name.toLowerCase().replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase())

/** The environment under its names in code: what the configuration is derived from, env or library mode alike. */
export type Settings = { [K in keyof Env as Camel<K & string>]: Env[K] }

/** Each setting's name in code, its variable and its schema: the one mapping, computed from EnvSchema. */
export const SETTINGS = Object.entries(EnvSchema.properties).map(([variable, schema]) => ({ key: camel(variable), variable, schema }))

/** EnvSchema under the names in code: what both loadConfig and resolveConfig check. */
export const SettingsSchema = Type.Object(Object.fromEntries(SETTINGS.map(f => [f.key, f.schema])))
