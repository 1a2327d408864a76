import { Value } from '@sinclair/typebox/value'
import { ConfigError, type AppConfig } from './derive.js'
import { checkSettings, isResolved, markResolved } from './load.js'
import { SETTINGS } from './schema.js'
import { trustProxyOf } from './trust-proxy.js'

/** Library mode: any part of an AppConfig; what is left out takes loadConfig's defaults. */
export type ConfigOverrides = Partial<AppConfig>

const FIELDS = new Map(SETTINGS.map(f => [f.key, f]))

function checkGiven (given: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(given)) {
    const field = FIELDS.get(key)
    // Lists are text in the environment and arrays here: chatServerKeys and backendApiKeys are checked on their own.
    if (field === undefined || Array.isArray(value) || Value.Check(field.schema, value)) continue
    const error = Value.Errors(field.schema, value).First()
    throw new ConfigError(`Invalid option ${key}=${JSON.stringify(value)}: ${error?.message as string}`)
  }
}

/**
 * A configuration from a partial one, by the environment's schema and rules but never
 * from process.env; no demo page unless asked. An already resolved one is returned as is.
 */
export function resolveConfig (overrides: ConfigOverrides = {}): AppConfig {
  if (overrides.chatServerKeys?.length === 0) throw new ConfigError('chatServerKeys must list at least one key')
  if (isResolved(overrides)) return overrides
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined))
  // The address rule has its own message (TRUST_PROXY=true is refused): checked before the schema.
  if (given.trustProxy !== undefined) given.trustProxy = trustProxyOf(given.trustProxy)
  checkGiven(given)
  // The fields other defaults follow from (origins from the port, the secret from a JWKS, production's rules).
  const inputs = {
    nodeEnv: overrides.production === true ? 'production' : 'development',
    port: overrides.port,
    jwtSecret: overrides.jwtSecret,
    jwksUrl: overrides.jwksUrl,
    chatServerKeys: overrides.chatServerKeys?.join(','),
    backendApiKeys: overrides.backendApiKeys?.join(','),
    demoPage: false
  }
  const defaults = checkSettings(Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined)))
  const config = { ...defaults, ...given }
  return markResolved({ ...config, demoPage: config.demoPage && !config.production })
}
