import t from 'tap'
import { createMemoryStore } from '../../src/stores/memory.js'
import { authenticated, issueTicket, listen } from '../helper.js'
import { withFaults } from '../support/faults.js'

t.test('session_refresh › AUTH_ERROR when the ticket is consumed but the new expiry cannot be stored; the old expiry stands', async t => {
  const real = createMemoryStore()
  t.teardown(() => real.close())
  const faults = withFaults(real)
  const { app, ws } = await listen(t, {}, { store: faults.store })
  const [client, ok] = await authenticated(app, ws, 'fred')
  const ticket = await issueTicket(app, 'fred')
  faults.fail('updateSessionExpiry')
  t.match(await client.request({ type: 'session_refresh', ticket, id: 'r' }), { type: 'error', code: 'AUTH_ERROR', id: 'r' })
  t.equal(client.socket.readyState, client.socket.OPEN, 'still open')
  t.match(await real.getSession(ok.sessionId), { expiresAt: ok.expiresAt }, 'the old expiry stands')
  faults.heal()
  t.match(await client.request({ type: 'session_refresh', ticket: await issueTicket(app, 'fred'), id: 'r2' }), { type: 'session_refreshed', sessionId: ok.sessionId })
  client.close()
})

/** A promise and the function that settles it. */
function gate (): { done: Promise<void>, open: () => void } {
  let open: () => void = () => {}
  const done = new Promise<void>(resolve => { open = resolve })
  return { done, open }
}

t.test('session_refresh › a client that leaves while its new expiry is being stored gets no session_refreshed', async t => {
  const real = createMemoryStore()
  t.teardown(() => real.close())
  const [storing, updateHeld, updated, removing, removalHeld] = [gate(), gate(), gate(), gate(), gate()]
  const store = {
    ...real,
    updateSessionExpiry: async (id: string, expiresAt: string) => {
      storing.open()
      await updateHeld.done
      try { return await real.updateSessionExpiry(id, expiresAt) } finally { updated.open() }
    },
    removeSession: async (id: string) => { removing.open(); await removalHeld.done; return await real.removeSession(id) }
  }
  const { app, ws } = await listen(t, {}, { store })
  const [client] = await authenticated(app, ws, 'gina')
  const refreshed: string[] = []
  app.liveSockets.events.on('refreshed', (id: string) => { refreshed.push(id) })
  client.socket.send(JSON.stringify({ type: 'session_refresh', ticket: await issueTicket(app, 'gina') }))
  await storing.done
  client.socket.terminate()
  await removing.done // the server saw the socket close; its record is still there
  updateHeld.open()
  await updated.done
  await new Promise(resolve => setImmediate(resolve)) // the refresh's continuation runs
  t.same(refreshed, [], 'no session_refreshed for a socket that is gone')
  removalHeld.open()
})
