import t from 'tap'
import { createEventBus } from '../../src/stores/postgres-events.js'
import { clientConfig, createPool } from '../../src/stores/postgres-pool.js'
import { createPostgresStore } from '../../src/stores/postgres.js'
import { postgresForTests } from '../support/postgres.js'

/** checkEvents on PostgreSQL (§4): a NOTIFY through the pool must come back through the LISTEN connection. */
const postgres = await postgresForTests()
const silent = { info: () => undefined, warn: () => undefined }

t.test('PostgreSQL › checkEvents is a real NOTIFY round trip', { skip: postgres.skip }, async t => {
  const store = await createPostgresStore({ url: await postgres.database() })
  t.teardown(() => store.close())
  await store.checkEvents()
  t.pass('the probe came back')
})

t.test('PostgreSQL › a LISTEN connection that hears nothing: the round trip fails and the connection is renewed', { skip: postgres.skip }, async t => {
  // NOTIFY reaches listeners of its own database only: the bus listens on another one, so every probe is lost.
  const [published, listened] = [await postgres.database(), await postgres.database()]
  const pool = createPool({ url: published }, silent)
  const warnings: string[] = []
  const bus = createEventBus(pool, clientConfig({ url: listened }), { ...silent, warn: (_obj, msg) => { warnings.push(msg) } }, async () => undefined)
  t.teardown(async () => { await bus.close(); await pool.end() })
  await bus.start()
  await t.rejects(bus.roundTrip(), /did not come back within 1000 ms/)
  t.match(warnings, [/did not deliver an event; reconnecting it/])
})
