import t from 'tap'
import { randomBytes } from 'node:crypto'
import type { TicketRecord } from '../../src/stores/types.js'
import { contractBackends as backends } from '../support/contract-backends.js'
import { isoIn } from '../support/session-record.js'

const digest = (): string => randomBytes(32).toString('hex')
const ticket = (overrides: Partial<TicketRecord> = {}): TicketRecord => ({
  userId: 'alice',
  entityId: 'brand-1',
  entityType: 'BRAND',
  providerResId: '',
  chatServerKey: 'UD21',
  clientIp: '127.0.0.1',
  userAgent: 'tap',
  createdAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  tokenExpiresAt: Date.now() + 30_000,
  ...overrides
})
const session = (userId = 'alice', sessionId = `session_${randomBytes(16).toString('hex')}`) => ({
  sessionId, userId, entityId: 'brand-1', entityType: 'BRAND', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn()
})

for (const backend of backends) {
  t.test(`store contract › ${backend.name}`, { skip: backend.skip }, async t => {
    const store = await backend.make(t)
    t.teardown(() => store.close())

    t.test('a ticket is consumed once, then reported used', async t => {
      const id = digest()
      const record = ticket()
      await store.issueTicket(id, record)
      t.same(await store.consumeTicket(id), { status: 'ok', ticket: record })
      t.same(await store.consumeTicket(id), { status: 'used' })
    })

    t.test('a ticket without a token expiry comes back without one', async t => {
      const id = digest()
      const { tokenExpiresAt, ...record } = ticket()
      await store.issueTicket(id, record)
      t.same(await store.consumeTicket(id), { status: 'ok', ticket: record })
    })

    t.test('concurrent consumes: exactly one ok', async t => {
      const id = digest()
      await store.issueTicket(id, ticket())
      const results = await Promise.all(Array.from({ length: 50 }, () => store.consumeTicket(id)))
      t.equal(results.filter(r => r.status === 'ok').length, 1)
      t.equal(results.filter(r => r.status === 'used').length, 49)
    })

    t.test('unknown digest is unknown', async t => {
      t.same(await store.consumeTicket(digest()), { status: 'unknown' })
    })

    t.test('an expired ticket is reported expired, not ok', async t => {
      const id = digest()
      await store.issueTicket(id, ticket({ expiresAt: Date.now() + 50 }))
      await new Promise(resolve => setTimeout(resolve, 120))
      t.same(await store.consumeTicket(id), { status: 'expired' })
    })

    t.test('a used ticket presented after its expiry is reported expired', async t => {
      const id = digest()
      await store.issueTicket(id, ticket({ expiresAt: Date.now() + 50 }))
      t.equal((await store.consumeTicket(id)).status, 'ok')
      await new Promise(resolve => setTimeout(resolve, 120))
      t.same(await store.consumeTicket(id), { status: 'expired' })
    })

    t.test('an expired ticket is still recognised minutes after its expiry', async t => {
      const id = digest()
      await store.issueTicket(id, ticket({ createdAt: Date.now() - 180_000, expiresAt: Date.now() - 60_000 }))
      t.same(await store.consumeTicket(id), { status: 'expired' })
    })

    t.test('sessions: create, get, list by user, remove', async t => {
      const a = session('carol')
      const b = session('carol')
      t.equal(await store.createSession(a, { maxPerUser: 10, leaseMs: 60_000 }), true)
      t.equal(await store.createSession(b, { maxPerUser: 10, leaseMs: 60_000 }), true)
      t.same(await store.getSession(a.sessionId), a)
      const listed = await store.listSessions('carol')
      t.same(listed.map(s => s.sessionId).sort(), [a.sessionId, b.sessionId].sort())
      t.equal(await store.removeSession(a.sessionId), true)
      t.equal(await store.removeSession(a.sessionId), false)
      t.equal(await store.getSession(a.sessionId), undefined)
      t.same((await store.listSessions('carol')).map(s => s.sessionId), [b.sessionId])
      t.same(await store.listSessions('nobody'), [])
    })

    t.test('sessions: the per-user limit refuses the next one', async t => {
      const user = `limit-${randomBytes(4).toString('hex')}`
      t.equal(await store.createSession(session(user), { maxPerUser: 2, leaseMs: 60_000 }), true)
      t.equal(await store.createSession(session(user), { maxPerUser: 2, leaseMs: 60_000 }), true)
      t.equal(await store.createSession(session(user), { maxPerUser: 2, leaseMs: 60_000 }), false)
      t.equal((await store.listSessions(user)).length, 2)
    })

    t.test('sessions expire with their TTL and leave the index', async t => {
      const user = `ttl-${randomBytes(4).toString('hex')}`
      const s = session(user)
      t.equal(await store.createSession(s, { maxPerUser: 1, leaseMs: 1000 }), true)
      await new Promise(resolve => setTimeout(resolve, 1100))
      t.equal(await store.getSession(s.sessionId), undefined)
      t.same(await store.listSessions(user), [])
      t.equal(await store.createSession(session(user), { maxPerUser: 1, leaseMs: 60_000 }), true, 'the expired session no longer counts')
    })

    t.test('events reach subscribers', async t => {
      const received = new Promise(resolve => { store.subscribe(resolve) })
      await store.publish({ kind: 'revoke', sessionId: 'session_x' })
      t.same(await received, { kind: 'revoke', sessionId: 'session_x' })
    })

    t.test('ping answers while the store is up', async t => {
      await t.resolves(store.ping())
    })

    t.test('IP binding › a thief at another address gets ip_mismatch and does not spend the ticket; its owner redeems it', async t => {
      const id = digest()
      const record = ticket({ clientIp: '192.0.2.1' })
      await store.issueTicket(id, record)
      t.same(await store.consumeTicket(id, { clientIp: '198.51.100.9', consumeId: 'aa' }), { status: 'ip_mismatch' })
      t.same(await store.consumeTicket(id, { clientIp: '192.0.2.1', consumeId: 'bb' }), { status: 'ok', ticket: record })
      t.same(await store.consumeTicket(id, { clientIp: '198.51.100.9', consumeId: 'cc' }), { status: 'used' }, 'spent: used, whoever asks')
    })

    t.test('countUserSessions › live sessions of each user in the order asked, as the listing counts them; unknown users 0', async t => {
      const users = Array.from({ length: 5 }, (_, i) => `count-${randomBytes(4).toString('hex')}-${i}`)
      const created = users.map((userId, i) => Array.from({ length: i }, () => session(userId)))
      for (const record of created.flat()) t.equal(await store.createSession(record, { maxPerUser: 10, leaseMs: 60_000 }), true)
      await store.removeSession(created[4][0].sessionId)
      const asked = [users[4], 'nobody', ...users.slice(0, 4)]
      const counts = await store.countUserSessions(asked)
      t.same(counts, [3, 0, 0, 1, 2, 3])
      t.same(counts, await Promise.all(asked.map(async userId => (await store.listSessions(userId)).length)), 'what the listing says')
      t.same(await store.countUserSessions([]), [], 'an empty batch')
      t.same(await store.countUserSessions(Array.from({ length: 100 }, (_, i) => users[i % 5])), Array.from({ length: 100 }, (_, i) => i % 5 === 4 ? 3 : i % 5), '100 ids, repeats included')
    })

    t.test('lost consume › a release by another consume id never gives a redeemed ticket back', async t => {
      const id = digest()
      await store.issueTicket(id, ticket())
      t.equal((await store.consumeTicket(id, { consumeId: 'a1' })).status, 'ok')
      t.equal(await store.releaseTicket(id, 'b2'), false)
      t.equal(await store.releaseTicket(digest(), 'a1'), false, 'unknown ticket')
      t.same(await store.consumeTicket(id, { consumeId: 'c3' }), { status: 'used' })
    })

    // The memory store never loses a consume's reply, so it has nothing to give back.
    t.test('lost consume › the consume that spent it gives it back exactly once; a late copy of it spends nothing', { skip: store.backend === 'memory' }, async t => {
      const id = digest()
      const record = ticket()
      await store.issueTicket(id, record)
      t.equal((await store.consumeTicket(id, { consumeId: 'a1' })).status, 'ok')
      t.equal(await store.releaseTicket(id, 'a1'), true, 'given back')
      t.equal(await store.releaseTicket(id, 'a1'), true, 'a repeated release (its first reply lost too) reports the same give-back')
      t.same(await store.consumeTicket(id, { consumeId: 'a1' }), { status: 'used' }, 'the lost consume arriving late is fenced off')
      t.same(await store.consumeTicket(id, { consumeId: 'b2' }), { status: 'ok', ticket: record }, 'the retry redeems it')
      t.equal(await store.releaseTicket(id, 'a1'), false, 'never given back once the retry redeemed it')
      t.same(await store.consumeTicket(id, { consumeId: 'c3' }), { status: 'used' })
    })

    t.test('lost consume › a consume that never landed is fenced off by the release, the ticket stays valid', { skip: store.backend === 'memory' }, async t => {
      const id = digest()
      await store.issueTicket(id, ticket())
      t.equal(await store.releaseTicket(id, 'a1'), false, 'nothing to give back')
      t.same(await store.consumeTicket(id, { consumeId: 'a1' }), { status: 'used' }, 'the lost consume, arriving after its release')
      t.equal((await store.consumeTicket(id, { consumeId: 'b2' })).status, 'ok')
    })

    // Two lost consumes of one ticket: every release must keep barring the ids barred before it.
    t.test('two lost consumes › both released before either landed: neither spends when it arrives, a retry redeems once', { skip: store.backend === 'memory' }, async t => {
      const id = digest()
      const record = ticket()
      await store.issueTicket(id, record)
      t.equal(await store.releaseTicket(id, 'a1'), false)
      t.equal(await store.releaseTicket(id, 'b2'), false)
      t.same(await store.consumeTicket(id, { consumeId: 'a1' }), { status: 'used' }, 'the first fenced consume, arriving late')
      t.same(await store.consumeTicket(id, { consumeId: 'b2' }), { status: 'used' }, 'the second fenced consume, arriving late')
      t.same(await store.consumeTicket(id, { consumeId: 'c3' }), { status: 'ok', ticket: record }, 'the retry redeems it')
      t.same(await store.consumeTicket(id, { consumeId: 'd4' }), { status: 'used' }, 'once')
    })

    t.test('two lost consumes › one spent and given back, the other fenced after: a late copy of either spends nothing', { skip: store.backend === 'memory' }, async t => {
      const id = digest()
      const record = ticket()
      await store.issueTicket(id, record)
      t.equal((await store.consumeTicket(id, { consumeId: 'a1' })).status, 'ok')
      t.equal(await store.releaseTicket(id, 'a1'), true, 'given back once')
      t.equal(await store.releaseTicket(id, 'b2'), false, 'b2 never landed: fenced')
      t.same(await store.consumeTicket(id, { consumeId: 'a1' }), { status: 'used' }, 'a late copy of the given-back consume')
      t.same(await store.consumeTicket(id, { consumeId: 'b2' }), { status: 'used' }, 'the fenced consume, arriving late')
      t.same(await store.consumeTicket(id, { consumeId: 'c3' }), { status: 'ok', ticket: record }, 'the retry redeems it')
      t.equal(await store.releaseTicket(id, 'a1'), false, 'never given back again once the retry redeemed it')
      t.equal(await store.releaseTicket(id, 'b2'), false)
      t.same(await store.consumeTicket(id, { consumeId: 'd4' }), { status: 'used' })
    })

    t.test('two lost consumes › one authenticated: the other\'s release never gives the ticket back', async t => {
      const id = digest()
      await store.issueTicket(id, ticket())
      t.equal((await store.consumeTicket(id, { consumeId: 'a1' })).status, 'ok', 'a1 authenticated')
      t.same(await store.consumeTicket(id, { consumeId: 'b2' }), { status: 'used' }, 'b2 lost its reply')
      t.equal(await store.releaseTicket(id, 'b2'), false)
      t.equal(await store.releaseTicket(id, 'c3'), false, 'nor a release of a consume that never landed')
      t.same(await store.consumeTicket(id, { consumeId: 'd4' }), { status: 'used' })
    })
  })
}
