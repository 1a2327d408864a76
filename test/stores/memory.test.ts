import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createMemoryStore } from '../../src/stores/memory.js'
import { EXPIRED_TICKET_MEMORY_MS, StoreUnavailableError } from '../../src/stores/types.js'
import { until } from '../support/wait.js'
import { isoIn } from '../support/session-record.js'

const record = (expiresAt: number) => ({ userId: 'u', chatServerKey: 'k', clientIp: '::1', createdAt: 0, expiresAt })
const session = (sessionId: string, userId = 'u') => ({ sessionId, userId, chatServerKey: 'k', authenticatedAt: new Date().toISOString(), expiresAt: isoIn() })

t.test('memory store › the sweeper drops tickets past their memory and expired sessions, oldest first, within its budget', async t => {
  const store = createMemoryStore({ sweepIntervalMs: 60_000 })
  t.teardown(() => store.close())
  const now = Date.now()
  await store.issueTicket('old-1', record(now - EXPIRED_TICKET_MEMORY_MS - 1))
  await store.issueTicket('old-2', record(now - EXPIRED_TICKET_MEMORY_MS - 1))
  await store.issueTicket('recent-expired', record(now - 1000))
  await store.issueTicket('live', record(now + 60_000))
  await store.createSession(session('s-old'), { maxPerUser: 10, leaseMs: 1000 })
  await store.createSession(session('s-live'), { maxPerUser: 10, leaseMs: 60_000 })
  store.sweep(now, 1)
  t.equal(store.size().tickets, 3, 'the budget bounds one sweep')
  store.sweep(now + 2000)
  t.same(store.size(), { tickets: 2, sessions: 1, users: 1 })
  t.same(await store.consumeTicket('recent-expired'), { status: 'expired' }, 'expired tickets are remembered')
  t.same(await store.consumeTicket('old-1'), { status: 'unknown' })
})

t.test('memory store › a ticket read after its memory ran out is forgotten on access', async t => {
  const store = createMemoryStore()
  t.teardown(() => store.close())
  await store.issueTicket('gone', record(Date.now() - EXPIRED_TICKET_MEMORY_MS - 1))
  t.same(await store.consumeTicket('gone'), { status: 'unknown' })
  t.equal(store.size().tickets, 0)
})

t.test('memory store › a used ticket past its expiry is reported expired', async t => {
  const store = createMemoryStore()
  t.teardown(() => store.close())
  await store.issueTicket('t', record(Date.now() + 30))
  t.equal((await store.consumeTicket('t')).status, 'ok')
  await new Promise(resolve => setTimeout(resolve, 60))
  t.same(await store.consumeTicket('t'), { status: 'expired' })
})

t.test('memory store › the sweeper runs on its interval', async t => {
  const store = createMemoryStore({ sweepIntervalMs: 20 })
  t.teardown(() => store.close())
  await store.createSession(session('s'), { maxPerUser: 10, leaseMs: 0 })
  await until('a sweep', () => store.size().sessions === 0)
  t.equal(store.size().sessions, 0)
})

t.test('memory store › a closed store refuses every operation as unavailable', async t => {
  const store = createMemoryStore()
  await store.close()
  for (const op of [
    () => store.issueTicket('x', record(0)), () => store.consumeTicket('x'), () => store.createSession(session('s'), { maxPerUser: 1, leaseMs: 1000 }),
    () => store.getSession('s'), () => store.removeSession('s'), () => store.listSessions('u'),
    () => store.publish({ kind: 'revoke', sessionId: 's' }), () => store.ping()
  ]) await t.rejects(op() as Promise<unknown>, StoreUnavailableError)
})

t.test('memory store › a redeemed ticket\'s record is let go; the ticket still reads used', async t => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const store = createMemoryStore()
  t.teardown(() => store.close())
  let redeemed: WeakRef<object> | undefined
  await (async () => {
    const ticket = record(Date.now() + 60_000)
    redeemed = new WeakRef(ticket)
    await store.issueTicket('t', ticket)
    t.equal((await store.consumeTicket('t')).status, 'ok')
  })()
  // Past the turn that returned it, so no reference to the record is left on the stack.
  await new Promise(resolve => setImmediate(resolve))
  gc()
  t.equal(redeemed?.deref(), undefined, 'the store no longer holds the record')
  t.same(await store.consumeTicket('t'), { status: 'used' })
})
