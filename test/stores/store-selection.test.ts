import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { createStore } from '../../src/stores/index.js'
import { TEST_ENV } from '../helper.js'
import { postgresForTests } from '../support/postgres.js'

const PG = 'postgres://postgres@127.0.0.1:5432/app'
const config = (env: Record<string, string>) => loadConfig({ ...TEST_ENV, ...env })

t.test('config › DATABASE_URL selects PostgreSQL, with bounded connection settings', async t => {
  const { store, postgres } = config({ DATABASE_URL: PG })
  t.equal(store, 'postgres')
  t.same(postgres, { url: PG, poolMax: 10, connectTimeoutMs: 2000, queryTimeoutMs: 5000, cleanupIntervalMs: 60_000, cleanupBatchSize: 1000 })
  t.match(config({ DATABASE_URL: 'postgresql://db/app', PG_POOL_MAX: '3', PG_CLEANUP_INTERVAL_MS: '500' }).postgres, {
    url: 'postgresql://db/app', poolMax: 3, cleanupIntervalMs: 500
  })
})

t.test('config › without a shared store the store is memory', async t => {
  t.equal(config({}).store, 'memory')
  t.equal(config({}).postgres, undefined)
  t.equal(config({ REDIS_URL: 'redis://localhost:6379' }).store, 'redis')
})

t.test('config › with REDIS_URL and DATABASE_URL, STORE decides', async t => {
  const both = { REDIS_URL: 'redis://localhost:6379', DATABASE_URL: PG }
  t.throws(() => config(both), new ConfigError('Both REDIS_URL and DATABASE_URL are set: choose one with STORE=redis|postgres|memory'))
  t.equal(config({ ...both, STORE: 'postgres' }).store, 'postgres')
  t.equal(config({ ...both, STORE: 'redis' }).postgres, undefined)
  t.equal(config({ ...both, STORE: 'memory' }).store, 'memory')
})

t.test('config › invalid PostgreSQL settings stop the start, naming the variable', async t => {
  t.throws(() => config({ DATABASE_URL: 'mysql://db/app' }), { name: 'ConfigError', message: /DATABASE_URL/ })
  t.throws(() => config({ STORE: 'mongo' }), { name: 'ConfigError', message: /STORE/ })
  t.throws(() => config({ STORE: 'postgres' }), new ConfigError('STORE=postgres needs DATABASE_URL'))
  t.throws(() => config({ STORE: 'redis' }), new ConfigError('STORE=redis needs REDIS_URL (or REDIS_HOST)'))
  t.throws(() => config({ DATABASE_URL: PG, PG_POOL_MAX: '0' }), { name: 'ConfigError', message: /PG_POOL_MAX/ })
})

const postgres = await postgresForTests()

t.test('createStore › DATABASE_URL gives the PostgreSQL store', { skip: postgres.skip }, async t => {
  const store = await createStore(config({ DATABASE_URL: await postgres.database() }))
  t.teardown(() => store.close())
  t.equal(store.backend, 'postgres')
  await t.resolves(store.ping())
})
