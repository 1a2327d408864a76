/**
 * The environment written once, as TypeBox (src/config/schema.ts); the check, the
 * defaults, the `fastify.config` type and `.env.example` all follow from it.
 */
export { EnvSchema, SettingsSchema, type Env, type Settings } from './config/schema.js'
export { ConfigError, DEV_JWT_SECRET, type AppConfig, type RedisConfig, type UpstreamConfig } from './config/derive.js'
export { loadConfig } from './config/load.js'
export { resolveConfig, type ConfigOverrides } from './config/resolve.js'
