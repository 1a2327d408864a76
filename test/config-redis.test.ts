import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

const redis = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env }).redis

t.test('config › Redis is off unless REDIS_URL, REDIS_HOST or REDIS_CLUSTER_NODES is set', async t => {
  t.equal(redis({}), undefined)
  t.same(redis({ REDIS_URL: 'redis://cache:6379/2' }), { url: 'redis://cache:6379/2', keyPrefix: 'wsauth:', commandTimeoutMs: 2000 })
  t.same(redis({ REDIS_HOST: 'cache' }), { host: 'cache', port: 6379, password: undefined, keyPrefix: 'wsauth:', commandTimeoutMs: 2000 })
  t.same(redis({ REDIS_HOST: 'cache', REDIS_PORT: '6380', REDIS_PASSWORD: 'pw', REDIS_KEY_PREFIX: 'chat:', REDIS_COMMAND_TIMEOUT_MS: '750' }),
    { host: 'cache', port: 6380, password: 'pw', keyPrefix: 'chat:', commandTimeoutMs: 750 })
})

t.test('config › REDIS_CLUSTER_NODES selects the cluster client and wins over REDIS_URL', async t => {
  t.same(redis({ REDIS_CLUSTER_NODES: ' a:7000, b:7001 ,::1:7002', REDIS_URL: 'redis://x', REDIS_PASSWORD: 'pw' }), {
    clusterNodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }, { host: '::1', port: 7002 }],
    password: 'pw',
    keyPrefix: 'wsauth:',
    commandTimeoutMs: 2000
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
