import t from 'tap'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import type { SessionDraft, SessionRecord, TicketRecord } from '../../src/stores/types.js'
import { REDIS_MISSING, redisCluster, redisStoreFrom, redisUrl } from '../support/redis.js'
import { check } from '../support/seed.js'
import { newSessionId } from '../support/session-record.js'

/**
 * The consume script that opens the session (ConsumeOptions.session): the record it stores is the
 * one Session.open writes next (computed below the way it does), whatever the user id and expiry,
 * and the createSession that follows answers from it.
 */
const YEAR_9999 = Date.UTC(9999, 11, 31)
const HOUR = 3_600_000

const ticketFor = (userId: string, fields: Partial<TicketRecord> = {}): TicketRecord =>
  ({ userId, chatServerKey: 'UD21', clientIp: '127.0.0.1', createdAt: Date.now(), expiresAt: Date.now() + 60_000, ...fields })

function draftFor (fields: Partial<SessionDraft> = {}): SessionDraft {
  const now = Date.now()
  return { sessionId: newSessionId(), authenticatedAt: new Date(now).toISOString(), expiresAtByTtl: now + HOUR, followsTokenExpiry: true, maxPerUser: 5, leaseMs: 60_000, ...fields }
}

/** Session.open's record for that draft and ticket (sessionExpiry: the earlier of the TTL and the token's exp, when it follows). */
function recordOf (draft: SessionDraft, ticket: TicketRecord): SessionRecord {
  const { tokenExpiresAt } = ticket
  const expiresAt = draft.followsTokenExpiry && tokenExpiresAt !== undefined ? Math.min(draft.expiresAtByTtl, tokenExpiresAt) : draft.expiresAtByTtl
  const optional = Object.fromEntries(Object.entries({ entityId: ticket.entityId, entityType: ticket.entityType }).filter(([, v]) => v !== undefined))
  return { sessionId: draft.sessionId, userId: ticket.userId, ...optional, chatServerKey: ticket.chatServerKey, authenticatedAt: draft.authenticatedAt, expiresAt: new Date(expiresAt).toISOString() }
}

const digest = (): string => randomBytes(32).toString('hex')

t.test('redis store › the consume opens the session', { skip: REDIS_MISSING }, async t => {
  const store = await redisStoreFrom(t, { REDIS_URL: await redisUrl(t) })
  t.equal(store.opensSessions, true, 'a single server: one round trip for both')

  t.test('the stored record is the one Session.open writes: any user id, entity, TTL or token expiry (seeded)', async t => {
    const userId = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), fc.constantFrom('a}b{c', '{x}', '100%', "it's (me)!~*", 'ünïcode user'))
    const future = fc.integer({ min: Date.now() + HOUR, max: YEAR_9999 })
    await check(fc.asyncProperty(userId, fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), future, fc.option(future, { nil: undefined }), fc.boolean(),
      async (user, entityId, expiresAtByTtl, tokenExpiresAt, followsTokenExpiry) => {
        const ticket = ticketFor(user, { entityId, entityType: entityId === undefined ? undefined : 'room', tokenExpiresAt })
        const draft = draftFor({ expiresAtByTtl, followsTokenExpiry })
        const ticketDigest = digest()
        await store.issueTicket(ticketDigest, ticket)
        t.match(await store.consumeTicket(ticketDigest, { consumeId: 'a1', session: draft }), { status: 'ok' })
        const record = recordOf(draft, ticket)
        t.same(await store.getSession(draft.sessionId), record, 'stored by the consume, before createSession')
        t.equal(await store.createSession(record, draft), true, 'createSession answers from the consume')
        t.same((await store.listSessions(user)).map(s => s.sessionId), [draft.sessionId], 'under the user keys JavaScript names')
        t.equal(await store.removeSession(draft.sessionId), true)
        t.same(await store.listSessions(user), [])
      }), { numRuns: 60 })
  })

  t.test('MAX_SESSIONS_PER_USER: the consume refuses the session and spends the ticket; createSession answers false', async t => {
    const first = draftFor({ maxPerUser: 1 })
    const second = draftFor({ maxPerUser: 1 })
    const ticket = ticketFor('limited')
    const [a, b] = [digest(), digest()]
    await store.issueTicket(a, ticket)
    await store.issueTicket(b, ticket)
    await store.consumeTicket(a, { consumeId: 'a1', session: first })
    t.equal(await store.createSession(recordOf(first, ticket), first), true)
    t.match(await store.consumeTicket(b, { consumeId: 'b1', session: second }), { status: 'ok' })
    t.equal(await store.createSession(recordOf(second, ticket), second), false)
    t.match(await store.consumeTicket(b, { consumeId: 'b2' }), { status: 'used' })
    t.same((await store.listSessions('limited')).map(s => s.sessionId), [first.sessionId])
    t.equal(await store.getSession(second.sessionId), undefined)
  })

  t.test('a session the script cannot open (a user id encodeURIComponent throws on) is left to createSession, which fails as before', async t => {
    const ticket = ticketFor('lone \ud800 surrogate')
    const draft = draftFor()
    const ticketDigest = digest()
    await store.issueTicket(ticketDigest, ticket)
    t.match(await store.consumeTicket(ticketDigest, { consumeId: 'a1', session: draft }), { status: 'ok' }, 'the ticket is spent')
    await t.rejects(store.createSession(recordOf(draft, ticket), draft), URIError)
    t.equal(await store.getSession(draft.sessionId), undefined)
  })
})

t.test('redis cluster store › the session is opened by createSession (its keys are in another slot than the ticket)', { skip: REDIS_MISSING }, async t => {
  const store = await redisStoreFrom(t, { REDIS_CLUSTER_NODES: await redisCluster(t) })
  t.equal(store.opensSessions, false)
  const ticket = ticketFor('clustered')
  const draft = draftFor()
  const ticketDigest = digest()
  await store.issueTicket(ticketDigest, ticket)
  t.match(await store.consumeTicket(ticketDigest, { consumeId: 'a1', session: draft }), { status: 'ok' })
  t.equal(await store.getSession(draft.sessionId), undefined, 'the draft is ignored')
  t.equal(await store.createSession(recordOf(draft, ticket), draft), true)
  t.same(await store.getSession(draft.sessionId), recordOf(draft, ticket))
})
