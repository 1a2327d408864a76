import t from 'tap'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { postgresForTests, sql } from '../support/postgres.js'
import { isoIn } from '../support/session-record.js'

const postgres = await postgresForTests()
const { createPostgresStore } = postgres.skip === false ? await import('../../src/stores/postgres.js') : {} as never

const digest = (): string => randomBytes(32).toString('hex')
const minutes = (n: number): number => Date.now() + n * 60_000
const ticket = (expiresAt: number) => ({ userId: 'ivy', chatServerKey: 'UD21', clientIp: '::1', createdAt: expiresAt - 60_000, expiresAt })
const session = () => ({ sessionId: `session_${randomBytes(16).toString('hex')}`, userId: 'ivy', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn() })
const collect = () => {
  const warnings: string[] = []
  return { warnings, log: { info: () => undefined, warn: (_obj: object, msg: string) => { warnings.push(msg) } } }
}

/** Poll (bounded) until `check` holds. */
async function eventually (check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await check()) return true
  return false
}

t.test('PostgreSQL cleanup job', { skip: postgres.skip }, async t => {
  const url = await postgres.database()
  const store = await createPostgresStore({ url, cleanupBatchSize: 2 })
  t.teardown(() => store.close())

  t.test('removes expired rows (and sessions whose lease lapsed) in batches, and nothing else', async t => {
    const keep = { live: digest(), used: digest(), remembered: digest() }
    const gone = [digest(), digest(), digest()]
    await store.issueTicket(keep.live, ticket(minutes(5)))
    await store.issueTicket(keep.used, ticket(minutes(5)))
    await store.consumeTicket(keep.used)
    await store.issueTicket(keep.remembered, ticket(minutes(-1)))
    for (const id of gone) await store.issueTicket(id, ticket(minutes(-10)))
    const [live, expired, lapsed] = [session(), session(), session()]
    for (const s of [live, expired, lapsed]) await store.createSession(s, { maxPerUser: 10, leaseMs: 60_000 })
    await sql(url, "UPDATE websocket_sessions SET expires_at = now() - interval '1 second' WHERE session_id = $1", [expired.sessionId])
    await sql(url, "UPDATE websocket_sessions SET lease_until = now() - interval '1 second' WHERE session_id = $1", [lapsed.sessionId])
    await sql(url, `INSERT INTO websocket_rate_limits VALUES ('live', 1, now() + interval '1 minute'), ('over', 3, now() - interval '1 second');
      INSERT INTO websocket_events (payload, created_at) VALUES ('{}', now()), ('{}', now() - interval '2 minutes')`)

    t.same(await store.cleanup(), { tickets: 3, sessions: 2, rateLimits: 1, events: 1 })
    const tickets = await sql(url, "SELECT encode(ticket_hash, 'hex') AS id FROM websocket_tickets")
    t.same(tickets.map(r => r.id).sort(), Object.values(keep).sort())
    t.same((await sql(url, 'SELECT session_id FROM websocket_sessions')).map(r => r.session_id), [live.sessionId])
    t.same(await sql(url, 'SELECT key FROM websocket_rate_limits'), [{ key: 'live' }])
    t.equal((await sql(url, 'SELECT id FROM websocket_events')).length, 1)
    t.same(await store.consumeTicket(keep.remembered), { status: 'expired' }, 'a recently expired ticket is still recognised')
  })

  t.test('skips its turn while another instance holds the lock', async t => {
    const holder = new pg.Client({ connectionString: url })
    await holder.connect()
    await holder.query("SELECT pg_advisory_lock('7316230002')")
    t.equal(await store.cleanup(), undefined)
    await holder.end()
    t.ok(await store.cleanup())
  })

  t.test('runs on its interval; a run stuck behind a table lock times out, is logged, and the next run succeeds', async t => {
    const { warnings, log } = collect()
    const timed = await createPostgresStore({ url, log, cleanupIntervalMs: 100, queryTimeoutMs: 300 })
    t.teardown(() => timed.close())
    const id = digest()
    await timed.issueTicket(id, ticket(minutes(-10)))
    const locker = new pg.Client({ connectionString: url })
    await locker.connect()
    await locker.query('BEGIN; LOCK TABLE websocket_tickets IN ACCESS EXCLUSIVE MODE')
    t.ok(await eventually(async () => warnings.includes('PostgreSQL cleanup failed; retrying next interval')))
    await locker.query('COMMIT')
    await locker.end()
    t.ok(await eventually(async () => (await sql(url, 'SELECT 1 FROM websocket_tickets WHERE ticket_hash = $1', [Buffer.from(id, 'hex')])).length === 0))
  })
})

t.test('PostgreSQL rate-limit store', { skip: postgres.skip }, async t => {
  const url = await postgres.database()
  const store = await createPostgresStore({ url })
  t.teardown(() => store.close())
  const Limiter = store.rateLimitStore()
  const route = { routeInfo: { method: 'POST', url: '/api/websocket/ticket' } }
  const incr = async (limiter: any, key: string, window: number, max: number) =>
    await new Promise<any>((resolve, reject) => limiter.incr(key, (err: Error | null, res: unknown) => err === null ? resolve(res) : reject(err), window, max))

  t.test('counts per route and key within a window, then starts a new window', async t => {
    const limiter = new Limiter({} as any).child(route as any)
    const first = await incr(limiter, 'k1', 200, 2)
    t.equal(first.current, 1)
    t.ok(first.ttl > 0 && first.ttl <= 200)
    t.equal((await incr(limiter, 'k1', 200, 2)).current, 2)
    t.equal((await incr(limiter, 'k1', 200, 2)).current, 3)
    t.same(await sql(url, 'SELECT key, hits FROM websocket_rate_limits'), [{ key: 'POST/api/websocket/ticket-k1', hits: 3 }])
    await sleep(250)
    t.equal((await incr(limiter, 'k1', 200, 2)).current, 1)
  })

  t.test('continueExceeding restarts the window on every refused request', async t => {
    const limiter = new Limiter({} as any).child({ ...route, continueExceeding: true } as any)
    await incr(limiter, 'k2', 400, 1)
    await sleep(200)
    const refused = await incr(limiter, 'k2', 400, 1)
    t.equal(refused.current, 2)
    t.ok(refused.ttl > 300, `the window restarted (ttl ${refused.ttl} ms)`)
  })

  t.test('exponentialBackoff is refused, not silently ignored', async t => {
    t.throws(() => new Limiter({ exponentialBackoff: true } as any), /exponentialBackoff/)
  })

  t.test('a database failure reaches the callback', async t => {
    const closed = await createPostgresStore({ url })
    const ClosedLimiter = closed.rateLimitStore()
    await closed.close()
    await t.rejects(incr(new ClosedLimiter({} as any), 'k3', 1000, 1))
  })
})

t.test('PostgreSQL events', { skip: postgres.skip }, async t => {
  const url = await postgres.database()
  const { warnings, log } = collect()
  const a = await createPostgresStore({ url, log })
  const b = await createPostgresStore({ url, log })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  const received: any[] = []
  b.subscribe(event => received.push(event))

  t.test('an event over the NOTIFY size limit is parked in a table and still delivered', async t => {
    const payload = 'x'.repeat(20_000)
    await a.publish({ kind: 'deliver', userId: 'ivy', payload })
    t.ok(await eventually(async () => received.some(e => e.payload === payload)))
    t.equal((await sql(url, 'SELECT id FROM websocket_events')).length, 1)
  })

  t.test('a foreign or broken notification is logged and dropped', async t => {
    await sql(url, "SELECT pg_notify('websocket_events', 'not json')")
    await a.publish({ kind: 'revoke', sessionId: 'session_after' })
    t.ok(await eventually(async () => received.some(e => e.sessionId === 'session_after')))
    t.ok(warnings.includes('dropped an unreadable store event'))
  })

  t.test('the LISTEN connection comes back after being killed, and ping says down meanwhile', async t => {
    const listeners = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN websocket_events'"
    await sql(url, `SELECT pg_terminate_backend(pid) FROM (${listeners}) l`)
    t.ok(await eventually(async () => await b.ping().then(() => false, () => true)), 'ping fails while not listening')
    t.ok(await eventually(async () => await b.ping().then(() => true, () => false)), 'and recovers by itself')
    await a.publish({ kind: 'revoke', sessionId: 'session_reconnected' })
    t.ok(await eventually(async () => received.some(e => e.sessionId === 'session_reconnected')))
    t.ok(warnings.includes('PostgreSQL LISTEN connection failed; reconnecting'))
  })

  t.test('a revocation missed while not listening is recovered on reconnect', async t => {
    const [kept, revoked, closed] = [session(), session(), session()]
    for (const s of [kept, revoked, closed]) t.equal(await b.createSession(s, { maxPerUser: 10, leaseMs: 60_000 }), true)
    await b.removeSession(closed.sessionId) // its socket closed on b: nothing to revoke
    // Removed by another instance while b's LISTEN connection was away: no NOTIFY reached b.
    await sql(url, 'DELETE FROM websocket_sessions WHERE session_id = $1', [revoked.sessionId])
    received.length = 0
    await sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN websocket_events'")
    t.ok(await eventually(async () => received.length > 0 && await b.ping().then(() => true, () => false)))
    t.same(received, [{ kind: 'revoke', sessionId: revoked.sessionId }], 'only the session that vanished is revoked')
  })
})
