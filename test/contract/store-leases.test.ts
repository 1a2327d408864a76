import t from 'tap'
import fc from 'fast-check'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SessionRecord, Store } from '../../src/stores/types.js'
import { contractBackends } from '../support/contract-backends.js'
import { check } from '../support/seed.js'
import { isoIn, sessionRecord } from '../support/session-record.js'
import { until } from '../support/wait.js'

/** Short values: a lease of SHORT ms lapses within the test; LONG outlives it. */
const SHORT = 800
const LONG = 60_000
let users = 0
const user = (): string => `lease-${process.pid}-${++users}`
const ids = async (store: Store, userId: string): Promise<string[]> => (await store.listSessions(userId)).map(s => s.sessionId).sort()
/**
 * Counted against the limit: exactly `n` live sessions refuse the n+1th at a limit of n and admit it at n + 1;
 * and counted by `countUserSessions` (presence) exactly as listed.
 */
async function counted (store: Store, userId: string): Promise<number> {
  const probe = sessionRecord({ userId })
  const listed = (await ids(store, userId)).length
  if ((await store.countUserSessions([userId]))[0] !== listed) return -1
  const refused = !await store.createSession(probe, { maxPerUser: listed, leaseMs: LONG })
  const admitted = await store.createSession(probe, { maxPerUser: listed + 1, leaseMs: LONG })
  await store.removeSession(probe.sessionId)
  return refused && admitted ? listed : -1
}

for (const backend of contractBackends) {
  t.test(`store contract › leases › ${backend.name}`, { skip: backend.skip }, async t => {
    const store = await backend.make(t)
    t.teardown(() => store.close())

    t.test('a session kept alive by renewals is listed and counted past its first lease', async t => {
      const s = sessionRecord({ userId: user() })
      t.equal(await store.createSession(s, { maxPerUser: 5, leaseMs: SHORT }), true)
      const end = Date.now() + SHORT * 2
      while (Date.now() < end) {
        t.same(await store.renewLeases([s.sessionId], SHORT), [], 'renewed, none gone')
        await sleep(SHORT / 4)
      }
      t.same(await store.listSessions(s.userId), [s])
      t.same(await store.getSession(s.sessionId), s)
      t.equal(await counted(store, s.userId), 1)
    })

    t.test('a session not renewed leaves listing, lookup and count within its lease', async t => {
      const s = sessionRecord({ userId: user() })
      const created = Date.now()
      t.equal(await store.createSession(s, { maxPerUser: 1, leaseMs: SHORT }), true)
      await until('the lapsed session leaves the listing', async () => (await ids(store, s.userId)).length === 0, SHORT * 4)
      t.ok(Date.now() - created >= SHORT - 50, 'not before the lease ends')
      // Redis expires the lookup key by its own PX, set a moment after the index's score (same write, next command).
      await until('the lapsed session leaves the lookup', async () => await store.getSession(s.sessionId) === undefined, SHORT * 4)
      t.equal(await counted(store, s.userId), 0)
      t.same(await store.renewLeases([s.sessionId], LONG), [s.sessionId], 'a renewal reports it gone')
      t.equal(await store.getSession(s.sessionId), undefined, 'and does not revive it')
    })

    t.test('a session leaves at expiresAt, however often its lease is renewed', async t => {
      const s = sessionRecord({ userId: user(), expiresAt: isoIn(SHORT) })
      t.equal(await store.createSession(s, { maxPerUser: 5, leaseMs: LONG }), true)
      await store.renewLeases([s.sessionId], LONG)
      t.same(await store.getSession(s.sessionId), s)
      await until('the expired session leaves', async () => (await ids(store, s.userId)).length === 0, SHORT * 4)
      t.equal(await store.getSession(s.sessionId), undefined)
      t.equal(await counted(store, s.userId), 0)
    })

    t.test('updateSessionExpiry moves expiresAt everywhere; false for a session that is gone', async t => {
      const s = sessionRecord({ userId: user(), expiresAt: isoIn(SHORT) })
      t.equal(await store.createSession(s, { maxPerUser: 5, leaseMs: LONG }), true)
      const later = { ...s, expiresAt: isoIn(LONG) }
      t.equal(await store.updateSessionExpiry(s.sessionId, later.expiresAt), true)
      t.same(await store.getSession(s.sessionId), later)
      t.same(await store.listSessions(s.userId), [later])
      await sleep(SHORT + 200)
      t.same(await store.listSessions(s.userId), [later], 'still listed past the old expiry')
      t.equal(await counted(store, s.userId), 1)
      t.equal(await store.updateSessionExpiry(s.sessionId, isoIn(SHORT / 2)), true, 'an earlier expiry shortens it')
      await until('the shortened session leaves', async () => (await ids(store, s.userId)).length === 0, SHORT * 4)
      t.equal(await store.updateSessionExpiry(s.sessionId, isoIn(LONG)), false, 'an expired session is not revived')
      t.equal(await store.updateSessionExpiry('session_unknown', isoIn(LONG)), false)
      t.equal(await store.getSession(s.sessionId), undefined)
    })

    t.test('renewLeases skips removed and unknown sessions and takes an empty batch', async t => {
      const s = sessionRecord({ userId: user() })
      t.equal(await store.createSession(s, { maxPerUser: 5, leaseMs: LONG }), true)
      t.equal(await store.removeSession(s.sessionId), true)
      t.same(await store.renewLeases([s.sessionId, 'session_unknown'], LONG), [s.sessionId, 'session_unknown'], 'both reported gone')
      t.same(await store.renewLeases([], LONG), [])
      t.equal(await store.getSession(s.sessionId), undefined)
      t.same(await store.listSessions(s.userId), [])
    })

    t.test('the per-user index stays consistent under mixed renewals, expiries, refreshes and removals (seeded)', async t => {
      const fates = fc.array(fc.constantFrom('renewed', 'lapsed', 'expired', 'removed', 'refreshed'), { minLength: 1, maxLength: 8 })
      await check(fc.asyncProperty(fates, async (plan) => {
        const userId = user()
        const live: SessionRecord[] = []
        const all: string[] = []
        for (const fate of plan) {
          const short = fate === 'expired' || fate === 'refreshed'
          let s = sessionRecord({ userId, expiresAt: isoIn(short ? SHORT : LONG) })
          if (!await store.createSession(s, { maxPerUser: 100, leaseMs: fate === 'lapsed' || fate === 'renewed' ? SHORT : LONG })) return false
          all.push(s.sessionId)
          if (fate === 'removed') await store.removeSession(s.sessionId)
          if (fate === 'refreshed') {
            s = { ...s, expiresAt: isoIn(LONG) }
            await store.updateSessionExpiry(s.sessionId, s.expiresAt)
          }
          if (fate === 'renewed' || fate === 'refreshed') live.push(s)
        }
        // One batch for every session, as the owning instance sends it: gone ones must stay gone, and be reported.
        const renewing = all.filter((_, i) => plan[i] !== 'lapsed')
        const gone = await store.renewLeases(renewing, LONG)
        if (JSON.stringify(gone.sort()) !== JSON.stringify(renewing.filter((_, i) => plan.filter(f => f !== 'lapsed')[i] === 'removed').sort())) return false
        await sleep(SHORT + 300)
        const expected = live.map(s => s.sessionId).sort()
        const listed = await store.listSessions(userId)
        const found = await Promise.all(all.map(async id => await store.getSession(id)))
        return JSON.stringify(listed.map(s => s.sessionId).sort()) === JSON.stringify(expected) &&
          listed.every(s => live.some(l => l.sessionId === s.sessionId && l.expiresAt === s.expiresAt)) &&
          found.filter(r => r !== undefined).length === live.length &&
          await counted(store, userId) === live.length
      }), { numRuns: 3 })
      t.pass('listing, lookups and count agree with the model')
    })
  })
}
