/** Read by the store factories and the config schema alike: a store built without config behaves as with an empty environment. */
export const STORE_DEFAULTS = {
  redisKeyPrefix: 'wsauth:',
  redisCommandTimeoutMs: 2000,
  redisReadyTimeoutMs: 5000,
  redisPort: 6379,
  redisWaitReplicas: 0,
  redisWaitTimeoutMs: 200,
  pgPoolMax: 10,
  pgConnectTimeoutMs: 2000,
  pgQueryTimeoutMs: 5000,
  pgCleanupIntervalMs: 60_000,
  pgCleanupBatchSize: 1000,
  memorySweepIntervalMs: 10_000
} as const
