import t from 'tap'
import pino from 'pino'
import type { WebSocket } from 'ws'
import { createMemoryStore } from '../../src/stores/memory.js'
import type { Store } from '../../src/stores/types.js'
import { renewLeasesEvery } from '../../src/ws/leases.js'
import { createLiveSockets } from '../../src/ws/live-sockets.js'
import { withFaults } from '../support/faults.js'
import { waitFor } from '../support/events.js'

const socket = { readyState: 1 } as unknown as WebSocket

t.test('leases › one renewLeases call per period for every live session; a failure is logged and retried next period', async t => {
  const faults = withFaults(createMemoryStore())
  const calls: Array<readonly string[]> = []
  const store: Store = { ...faults.store, renewLeases: async (ids, leaseMs) => { calls.push(ids); return await faults.store.renewLeases(ids, leaseMs) } }
  const warnings: string[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(JSON.parse(line).msg) } })
  const liveSockets = createLiveSockets({ maxBufferedBytes: 1024, log })
  const stop = renewLeasesEvery(store, liveSockets, 60, log)
  t.teardown(stop)

  t.match(await waitFor(liveSockets.events, 'renewal'), [0], 'no sessions: no store call')
  t.same(calls, [])
  const now = Date.now()
  for (const id of ['session_a', 'session_b']) {
    const record = { sessionId: id, userId: 'alice', chatServerKey: 'UD21', authenticatedAt: new Date(now).toISOString(), expiresAt: new Date(now + 60_000).toISOString() }
    await store.createSession(record, { maxPerUser: 5, leaseMs: 60 })
    liveSockets.attach(record, socket)
  }
  await waitFor(liveSockets.events, 'renewal', count => count === 2)
  t.same(calls.at(-1), ['session_a', 'session_b'], 'all ids in one call')

  faults.fail('renewLeases')
  const [, err] = await waitFor(liveSockets.events, 'renewal', (_count, error) => error !== undefined)
  t.match(err, { name: 'StoreUnavailableError' })
  t.ok(warnings.includes('could not renew session leases: retrying next period'), 'logged')
  faults.heal()
  await waitFor(liveSockets.events, 'renewal', (count, error) => count === 2 && error === undefined)
  t.equal((await store.listSessions('alice')).length, 2, 'still listed, long past the 60 ms lease')
})

t.test('leases › a store slower than the period is not called again while a call is in flight; stop() ends the loop', async t => {
  const liveSockets = createLiveSockets({ maxBufferedBytes: 1024, log: pino({ level: 'silent' }) })
  liveSockets.attach({ sessionId: 'session_x', userId: 'u', chatServerKey: 'UD21', authenticatedAt: '', expiresAt: '' }, socket)
  let inFlight = 0
  let most = 0
  let release: () => void = () => {}
  const store = {
    renewLeases: async () => {
      most = Math.max(most, ++inFlight)
      await new Promise<void>(resolve => { release = resolve })
      inFlight--
    }
  } as unknown as Store
  const stop = renewLeasesEvery(store, liveSockets, 15, pino({ level: 'silent' }))
  // Time itself is the subject: four periods pass while the first call hangs.
  await new Promise(resolve => setTimeout(resolve, 60))
  release()
  await waitFor(liveSockets.events, 'renewal')
  stop()
  t.equal(most, 1, 'never two at once')
})

t.test('leases › a live socket whose record the store no longer has is closed as revoked, reconnect:true; ids not here are ignored', async t => {
  const liveSockets = createLiveSockets({ maxBufferedBytes: 1024, log: pino({ level: 'silent' }) })
  const calls: string[] = []
  const lost = {
    readyState: 1,
    bufferedAmount: 0,
    send: (data: string) => { calls.push(data) },
    close: (code: number) => { calls.push(String(code)) }
  } as unknown as WebSocket
  liveSockets.attach({ sessionId: 'session_lost', userId: 'u', chatServerKey: 'UD21', authenticatedAt: '', expiresAt: '' }, lost)
  const store = { renewLeases: async () => ['session_lost', 'session_elsewhere'] } as unknown as Store
  const stop = renewLeasesEvery(store, liveSockets, 15, pino({ level: 'silent' }))
  t.teardown(stop)
  await waitFor(liveSockets.events, 'renewal')
  t.match(JSON.parse(calls[0]), { type: 'session_revoked', reconnect: true })
  t.equal(calls[1], '4007')
})
