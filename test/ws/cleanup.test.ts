import t from 'tap'
import pino from 'pino'
import { createMemoryStore } from '../../src/stores/memory.js'
import { removeSessionEventually } from '../../src/ws/cleanup.js'
import { withFaults } from '../support/faults.js'
import type { Tap } from '../helper.js'
import { within } from '../support/events.js'
import { isoIn } from '../support/session-record.js'

/** A logger that reports the first failed attempt ('retrying'): the removal is under way and the record still stored. */
function retryingLog () {
  let retried!: () => void
  const firstRetry = new Promise<void>(resolve => { retried = resolve })
  const log = pino({ level: 'debug' }, { write: (line: string) => { if (line.includes('retrying')) retried() } })
  return { log, firstRetry }
}
const record = (sessionId: string) => ({ sessionId, userId: 'alice', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn() })

/** A memory store holding `sessionId`, behind a fault layer whose removeSession fails until healed. */
async function storeFailingRemoval (t: Tap, sessionId: string) {
  const real = createMemoryStore()
  t.teardown(() => real.close())
  const faults = withFaults(real)
  await real.createSession(record(sessionId), { maxPerUser: 10, leaseMs: 60_000 })
  faults.fail('removeSession')
  return { real, faults }
}

t.test('session cleanup › a removal that fails is retried until the store is back', async t => {
  const { real, faults } = await storeFailingRemoval(t, 'session_a')
  const { log, firstRetry } = retryingLog()
  const removal = removeSessionEventually(faults.store, 'session_a', log, { delays: [20, 20, 20] })
  await within(firstRetry)
  t.ok(await real.getSession('session_a'), 'still there during the outage')
  faults.heal()
  await within(removal)
  t.equal(await real.getSession('session_a'), undefined, 'removed once the store answers')
})

t.test('session cleanup › after the last attempt the record is left to its TTL, with a warning', async t => {
  const { real, faults } = await storeFailingRemoval(t, 'session_b')
  const lines: string[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => { lines.push(line) } })
  await within(removeSessionEventually(faults.store, 'session_b', log, { delays: [10, 10] }))
  t.ok(await real.getSession('session_b'), 'still stored: its TTL will expire it')
  t.equal(lines.length, 1)
  t.match(JSON.parse(lines[0]), { level: 40, sessionId: 'session_b', msg: /left to its TTL/ })
})

t.test('session cleanup › a record that became wanted again (its connection authenticated) is not removed', async t => {
  const { real, faults } = await storeFailingRemoval(t, 'session_c')
  let wanted = false
  const { log, firstRetry } = retryingLog()
  const removal = removeSessionEventually(faults.store, 'session_c', log, { delays: [20, 20], unless: () => wanted })
  await within(firstRetry)
  wanted = true
  faults.heal()
  await within(removal)
  t.ok(await real.getSession('session_c'), 'kept: the retry saw it wanted')
})
