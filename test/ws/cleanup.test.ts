import t from 'tap'
import pino from 'pino'
import { createMemoryStore } from '../../src/stores/memory.js'
import { removeSessionEventually } from '../../src/ws/cleanup.js'
import { withFaults } from '../support/faults.js'
import type { Tap } from '../helper.js'

const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))
const record = (sessionId: string) => ({ sessionId, userId: 'alice', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString() })

/** A memory store holding `sessionId`, behind a fault layer whose removeSession fails until healed. */
async function storeFailingRemoval (t: Tap, sessionId: string) {
  const real = createMemoryStore()
  t.teardown(() => real.close())
  const faults = withFaults(real)
  await real.createSession(record(sessionId), 60, 10)
  faults.fail('removeSession')
  return { real, faults }
}

t.test('session cleanup › a removal that fails is retried until the store is back', async t => {
  const { real, faults } = await storeFailingRemoval(t, 'session_a')
  removeSessionEventually(faults.store, 'session_a', pino({ level: 'silent' }), { delays: [20, 20, 20] })
  await sleep(30)
  t.ok(await real.getSession('session_a'), 'still there during the outage')
  faults.heal()
  await sleep(60)
  t.equal(await real.getSession('session_a'), undefined, 'removed once the store answers')
})

t.test('session cleanup › after the last attempt the record is left to its TTL, with a warning', async t => {
  const { real, faults } = await storeFailingRemoval(t, 'session_b')
  const lines: string[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => { lines.push(line) } })
  removeSessionEventually(faults.store, 'session_b', log, { delays: [10, 10] })
  await sleep(100)
  t.ok(await real.getSession('session_b'), 'still stored: its TTL will expire it')
  t.equal(lines.length, 1)
  t.match(JSON.parse(lines[0]), { level: 40, sessionId: 'session_b', msg: /left to its TTL/ })
})

t.test('session cleanup › a record that became wanted again (its connection authenticated) is not removed', async t => {
  const { real, faults } = await storeFailingRemoval(t, 'session_c')
  let wanted = false
  removeSessionEventually(faults.store, 'session_c', pino({ level: 'silent' }), { delays: [20, 20], unless: () => wanted })
  await sleep(10)
  wanted = true
  faults.heal()
  await sleep(60)
  t.ok(await real.getSession('session_c'), 'kept: the retry saw it wanted')
})
