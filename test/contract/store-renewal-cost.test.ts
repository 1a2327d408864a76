import t from 'tap'
import { backends } from '../support/backends.js'
import { sessionRecord } from '../support/session-record.js'

const DELAY_MS = 250
const ROUND_TRIP_MS = 2 * DELAY_MS

/**
 * Renewal is one round trip for all of an instance's sessions, however many users they
 * belong to: with DELAY_MS added each way, renewing 60 sessions of 20 users ends well
 * before a second round trip could have.
 */
for (const backend of backends.filter(b => b.name !== 'memory')) {
  t.test(`store › renewLeases › ${backend.name}: one round trip for every session of the instance`, { skip: backend.skip }, async t => {
    const handle = await backend.open(t)
    const store = await handle.connect()
    t.teardown(() => store.close())
    const records = Array.from({ length: 60 }, (_, i) => sessionRecord({ userId: `renew-${i % 20}` }))
    for (const record of records) t.equal(await store.createSession(record, { maxPerUser: 5, leaseMs: 60_000 }), true)
    await handle.slow(DELAY_MS)
    const started = Date.now()
    await store.renewLeases(records.map(r => r.sessionId), 120_000)
    const took = Date.now() - started
    await handle.heal()
    t.ok(took >= ROUND_TRIP_MS - 20, `the delay applies (${took} ms)`)
    t.ok(took < 2 * ROUND_TRIP_MS - 100, `one round trip (${took} ms, two would take ${2 * ROUND_TRIP_MS} ms)`)
    t.equal((await store.listSessions('renew-0')).length, 3)
  })
}
