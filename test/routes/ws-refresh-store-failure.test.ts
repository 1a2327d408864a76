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
