/**
 * Every store default, read by the factories and by the config schema, so a
 * store built without a configuration (library mode, tests) behaves as the
 * service does with an empty environment.
 */
export const STORE_DEFAULTS = {
  redisKeyPrefix: 'wsauth:',
  redisCommandTimeoutMs: 2000,
  redisReadyTimeoutMs: 5000,
  redisPort: 6379,
  pgPoolMax: 10,
  pgConnectTimeoutMs: 2000,
  pgQueryTimeoutMs: 5000,
  pgCleanupIntervalMs: 60_000,
  pgCleanupBatchSize: 1000,
  memorySweepIntervalMs: 10_000
} as const
