import { Value } from '@sinclair/typebox/value'
import { ConfigError, fromSettings, type AppConfig } from './derive.js'
import { SETTINGS, SettingsSchema, type Settings } from './schema.js'

const BOOLEANS: Record<string, boolean> = { true: true, 1: true, yes: true, on: true, false: false, 0: false, no: false, off: false }
const NUMBER = /^-?\d+(\.\d+)?$/

/** A variable's text as its schema's type; text that does not convert stays text and fails the check. */
function convert (type: unknown, value: string): unknown {
  if ((type === 'integer' || type === 'number') && NUMBER.test(value)) return Number(value)
  if (type === 'boolean') return BOOLEANS[value.toLowerCase()] ?? value
  return value
}

// Configurations already through loadConfig or resolveConfig: the app plugin does not resolve them again.
const resolved = new WeakSet<object>()
export const markResolved = (config: AppConfig): AppConfig => { resolved.add(config); return config }
export const isResolved = (config: object): config is AppConfig => resolved.has(config)

/** Default, check and derive; ConfigError names the variable (resolveConfig checks its fields by key first). */
export function checkSettings (given: Record<string, unknown>): AppConfig {
  const settings = Value.Default(SettingsSchema, given)
  const error = Value.Errors(SettingsSchema, settings).First()
  if (error !== undefined) {
    const field = SETTINGS.find(f => f.key === error.path.split('/')[1]) as typeof SETTINGS[number]
    throw new ConfigError(`Invalid environment variable ${field.variable}=${JSON.stringify(given[field.key])}: ${error.message}`)
  }
  return markResolved(fromSettings(settings as Settings))
}

/** Read, default and check the environment; throws ConfigError naming the variable at fault. */
export function loadConfig (env: Record<string, string | undefined> = process.env): AppConfig {
  const given: Record<string, unknown> = {}
  for (const { key, variable, schema } of SETTINGS) {
    const value = env[variable]?.trim()
    if (value !== undefined && value !== '') given[key] = convert(schema.type, value)
  }
  return checkSettings(given)
}
