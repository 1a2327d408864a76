import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

const redis = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env }).redis
const NO_WAIT = { waitReplicas: 0, waitTimeoutMs: 200 }

t.test('config › Redis is off unless REDIS_URL, REDIS_HOST or REDIS_CLUSTER_NODES is set', async t => {
  t.equal(redis({}), undefined)
  t.same(redis({ REDIS_URL: 'redis://cache:6379/2' }), { url: 'redis://cache:6379/2', keyPrefix: 'wsauth:', commandTimeoutMs: 2000, ...NO_WAIT })
  t.same(redis({ REDIS_HOST: 'cache' }), { host: 'cache', port: 6379, password: undefined, keyPrefix: 'wsauth:', commandTimeoutMs: 2000, ...NO_WAIT })
  t.same(redis({ REDIS_HOST: 'cache', REDIS_PORT: '6380', REDIS_PASSWORD: 'pw', REDIS_KEY_PREFIX: 'chat:', REDIS_COMMAND_TIMEOUT_MS: '750' }),
    { host: 'cache', port: 6380, password: 'pw', keyPrefix: 'chat:', commandTimeoutMs: 750, ...NO_WAIT })
})

t.test('config › REDIS_CLUSTER_NODES selects the cluster client and wins over REDIS_URL', async t => {
  t.same(redis({ REDIS_CLUSTER_NODES: ' a:7000, b:7001 ,::1:7002', REDIS_URL: 'redis://x', REDIS_PASSWORD: 'pw' }), {
    clusterNodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }, { host: '::1', port: 7002 }],
    password: 'pw',
    keyPrefix: 'wsauth:',
    commandTimeoutMs: 2000,
    ...NO_WAIT
  })
})

t.test('config › invalid Redis variables stop the start, naming the variable', async t => {
  for (const nodes of ['localhost', 'a:7000,b', 'a:0', 'a:70000', ':7000', 'a:x', ',']) {
    t.throws(() => redis({ REDIS_CLUSTER_NODES: nodes }), { name: 'ConfigError', message: /REDIS_CLUSTER_NODES/ }, nodes)
  }
  for (const value of ['abc', '10', '600000']) {
    t.throws(() => redis({ REDIS_COMMAND_TIMEOUT_MS: value }), ConfigError)
    t.throws(() => redis({ REDIS_COMMAND_TIMEOUT_MS: value }), { message: /REDIS_COMMAND_TIMEOUT_MS/ })
  }
})

t.test('config › REDIS_SENTINELS with REDIS_SENTINEL_NAME selects Sentinel, with both passwords', async t => {
  t.same(redis({ REDIS_SENTINELS: 's1:26379, s2:26380', REDIS_SENTINEL_NAME: 'main', REDIS_PASSWORD: 'data', REDIS_SENTINEL_PASSWORD: 'watch', REDIS_URL: 'redis://x' }), {
    sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }],
    sentinelName: 'main',
    sentinelPassword: 'watch',
    password: 'data',
    keyPrefix: 'wsauth:',
    commandTimeoutMs: 2000,
    ...NO_WAIT
  })
  t.equal(loadConfig({ NODE_ENV: 'test', REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'main' }).store, 'redis')
})

t.test('config › REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS', async t => {
  t.match(redis({ REDIS_URL: 'redis://x', REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '500' }), { waitReplicas: 1, waitTimeoutMs: 500 })
  t.throws(() => redis({ REDIS_URL: 'redis://x', REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '2000' }), { message: /REDIS_WAIT_TIMEOUT_MS must be below REDIS_COMMAND_TIMEOUT_MS/ })
  t.match(redis({ REDIS_URL: 'redis://x', REDIS_WAIT_TIMEOUT_MS: '5000' }), { waitReplicas: 0 }, 'no WAIT: the timeout is not used')
  for (const [name, value] of [['REDIS_WAIT_REPLICAS', '-1'], ['REDIS_WAIT_REPLICAS', 'one'], ['REDIS_WAIT_TIMEOUT_MS', '0']]) {
    t.throws(() => redis({ REDIS_URL: 'redis://x', [name]: value }), { name: 'ConfigError', message: new RegExp(name) }, `${name}=${value}`)
  }
})

t.test('config › Sentinel variables that do not fit stop the start', async t => {
  t.throws(() => redis({ REDIS_SENTINELS: 's1:26379' }), { message: /REDIS_SENTINELS and REDIS_SENTINEL_NAME go together/ })
  t.throws(() => redis({ REDIS_SENTINEL_NAME: 'main', REDIS_URL: 'redis://x' }), { message: /go together/ })
  t.throws(() => redis({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'main', REDIS_CLUSTER_NODES: 'a:7000' }), { message: /exclude each other/ })
  t.throws(() => redis({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_NAME: 'main' }), { message: /Invalid environment variable REDIS_SENTINELS/ })
})
