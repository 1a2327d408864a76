import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { once } from 'node:events'
import pg from 'pg'
import { EXPIRED_TICKET_MEMORY_MS, StoreUnavailableError } from '../../src/stores/types.js'
import { postgresForTests, sql } from '../support/postgres.js'
import { until } from '../support/wait.js'
import { isoIn } from '../support/session-record.js'

const postgres = await postgresForTests()
const { createPostgresStore } = postgres.skip === false ? await import('../../src/stores/postgres.js') : {} as never
const { migrate } = postgres.skip === false ? await import('../../src/stores/postgres-migrate.js') : {} as never
const { withClient } = postgres.skip === false ? await import('../../src/stores/postgres-pool.js') : {} as never

const digest = (): string => randomBytes(32).toString('hex')
const sessionId = (): string => `session_${randomBytes(16).toString('hex')}`

t.test('PostgreSQL migrations', { skip: postgres.skip }, async t => {
  t.test('four instances starting at once apply each version exactly once', async t => {
    const url = await postgres.database()
    const stores = await Promise.all(Array.from({ length: 4 }, async () => await createPostgresStore({ url })))
    t.teardown(() => Promise.all(stores.map(s => s.close())))
    t.same(await sql(url, 'SELECT version, name FROM websocket_schema_migrations'), [{ version: 1, name: 'init' }, { version: 2, name: 'session_lifetime' }, { version: 3, name: 'ticket_consume' }, { version: 4, name: 'consume_fences' }])
    const tables = await sql(url, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'websocket_%' ORDER BY 1")
    t.same(tables.map(r => r.tablename), [
      'websocket_events', 'websocket_rate_limits', 'websocket_schema_migrations', 'websocket_sessions', 'websocket_tickets'
    ])
  })

  t.test('a second run applies nothing', async t => {
    const pool = new pg.Pool({ connectionString: await postgres.database() })
    t.teardown(() => pool.end())
    t.same(await migrate(pool), [1, 2, 3, 4])
    t.same(await migrate(pool), [])
  })

  t.test('a failing migration is rolled back, not recorded, and does not keep the lock', async t => {
    const url = await postgres.database()
    const pool = new pg.Pool({ connectionString: url })
    t.teardown(() => pool.end())
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE first_table (id int);')
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE second_table (id int); SELEKT 1;')
    writeFileSync(join(dir, 'README.md'), 'not a migration')
    const url0 = pathToFileURL(`${dir}/`)
    await t.rejects(migrate(pool, url0), /syntax error/)
    t.same(await sql(url, 'SELECT version FROM websocket_schema_migrations'), [{ version: 1 }])
    t.same(await sql(url, "SELECT to_regclass('second_table') AS t"), [{ t: null }])
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE second_table (id int);')
    t.same(await migrate(pool, url0), [2], 'the next start (the lock is free) applies the fixed migration')
  })
})

t.test('PostgreSQL store', { skip: postgres.skip }, async t => {
  const url = await postgres.database()
  const store = await createPostgresStore({ url })
  t.teardown(() => store.close())

  t.test('start › StoreUnavailableError when the server cannot be reached', async t => {
    const refused = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 })
    await t.rejects(refused, StoreUnavailableError)
    await t.rejects(refused, /could not start: connect ECONNREFUSED/)
  })

  t.test('tickets › the primary key is the SHA-256 digest, and nothing else identifies the ticket', async t => {
    const id = digest()
    await store.issueTicket(id, { userId: 'dana', chatServerKey: 'UD21', clientIp: '::1', createdAt: Date.now(), expiresAt: Date.now() + 60_000 })
    const [row] = await sql(url, 'SELECT encode(ticket_hash, \'hex\') AS hash, * FROM websocket_tickets WHERE user_id = $1', ['dana'])
    t.equal(row.hash, id)
    t.notOk(Object.keys(row).some(column => /(token|ticket)$/.test(column)), 'no ticket or token column')
  })

  t.test('tickets › optional fields left out are left out when redeemed', async t => {
    const id = digest()
    const record = { userId: 'erin', chatServerKey: 'UD21', clientIp: '::1', createdAt: Date.now(), expiresAt: Date.now() + 60_000 }
    await store.issueTicket(id, record)
    t.same(await store.consumeTicket(id), { status: 'ok', ticket: record })
  })

  t.test('tickets › forgotten (unknown) once expired longer than the remembrance period', async t => {
    const id = digest()
    const expiresAt = Date.now() - EXPIRED_TICKET_MEMORY_MS - 1000
    await store.issueTicket(id, { userId: 'fay', chatServerKey: 'UD21', clientIp: '::1', createdAt: expiresAt - 60_000, expiresAt })
    t.same(await store.consumeTicket(id), { status: 'unknown' })
  })

  t.test('sessions › optional fields round-trip; an expired one is not removable', async t => {
    const record = { sessionId: sessionId(), userId: 'gus', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn() }
    t.equal(await store.createSession(record, { maxPerUser: 5, leaseMs: 60_000 }), true)
    t.same(await store.getSession(record.sessionId), record)
    await sql(url, "UPDATE websocket_sessions SET expires_at = now() - interval '1 second' WHERE session_id = $1", [record.sessionId])
    t.equal(await store.removeSession(record.sessionId), false)
    t.same(await sql(url, 'SELECT 1 FROM websocket_sessions WHERE session_id = $1', [record.sessionId]), [], 'and the row is gone')
  })

  t.test('sessions › concurrent creations for one user on two stores respect the limit', async t => {
    const other = await createPostgresStore({ url })
    t.teardown(() => other.close())
    const record = () => ({ sessionId: sessionId(), userId: 'hal', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn() })
    const created = await Promise.all(Array.from({ length: 20 }, async (_, i) => await (i % 2 === 0 ? store : other).createSession(record(), { maxPerUser: 3, leaseMs: 60_000 })))
    t.equal(created.filter(Boolean).length, 3)
    t.equal((await store.listSessions('hal')).length, 3)
  })

  t.test('a store without a logger survives its connections being killed', async t => {
    const quiet = await createPostgresStore({ url, queryTimeoutMs: 1000 })
    t.teardown(() => quiet.close())
    await quiet.ping()
    await sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ws-ticket-auth'")
    let up = false
    await until('ping to answer', async () => (up = await quiet.ping().then(() => true, () => false)), 5000).catch(() => {})
    t.ok(up, 'ping answers again')
  })

  t.test('a connection killed between two statements of a job fails the job, not the process', async t => {
    const pool = new pg.Pool({ connectionString: url })
    t.teardown(() => pool.end())
    const job = withClient(pool, async (client) => {
      const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows
      // The FATAL arrives while no statement runs: the client reports it as an 'error' event.
      const fatal = once(client, 'error')
      await sql(url, 'SELECT pg_terminate_backend($1)', [pid])
      await fatal
      await client.query('SELECT 1')
    })
    await t.rejects(job, /not queryable/)
    t.equal(pool.totalCount, 0, 'the broken connection was destroyed, not pooled')
  })

  t.test('every failure is a StoreUnavailableError', async t => {
    const closed = await createPostgresStore({ url })
    await closed.close()
    await t.rejects(closed.consumeTicket(digest()), StoreUnavailableError)
    await t.rejects(closed.ping(), StoreUnavailableError)
  })
})
