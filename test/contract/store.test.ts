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
  })
}
