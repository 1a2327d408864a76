import t from 'tap'
import { listen, authHeaders, tokenFor, Client, type App } from '../helper.js'

/** A ticket requested from `ip` (as the proxy in front reports it). */
async function ticketFrom (app: App, ip: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/websocket/ticket',
    headers: { ...authHeaders(tokenFor(app, 'alice')), 'x-forwarded-for': ip },
    payload: { userId: 'alice' }
  })
  t.equal(res.statusCode, 200)
  return res.json().ticket
}

async function redeemFrom (ws: string, ip: string, ticket: string) {
  const [client] = await Client.connect(ws, { headers: { 'x-forwarded-for': ip } })
  t.teardown(() => client.close())
  return await client.request({ type: 'ticket_authenticate', ticket })
}

t.test('GET /ws › IP_MISMATCH when the ticket is bound and redeemed from another client IP (TRUST_PROXY)', async t => {
  const { app, ws } = await listen(t, { TICKET_BIND_IP: 'true', TRUST_PROXY: '1' })
  const ticket = await ticketFrom(app, '203.0.113.5')
  t.match(await redeemFrom(ws, '198.51.100.7', ticket), { type: 'authentication_error', code: 'IP_MISMATCH' })
  // The binding is checked inside the consume: the thief spent nothing, the owner redeems it.
  t.match(await redeemFrom(ws, '203.0.113.5', ticket), { type: 'authentication_success' })
})

t.test('GET /ws › the binding ignores X-Forwarded-For unless TRUST_PROXY is on', async t => {
  const { app, ws } = await listen(t, { TICKET_BIND_IP: 'true' })
  // Both requests come from 127.0.0.1; the forged header changes nothing.
  t.match(await redeemFrom(ws, '198.51.100.7', await ticketFrom(app, '203.0.113.5')), { type: 'authentication_success' })
})

t.test('GET /ws › without TICKET_BIND_IP a ticket redeems from any address', async t => {
  const { app, ws } = await listen(t, { TRUST_PROXY: '1' })
  t.match(await redeemFrom(ws, '198.51.100.7', await ticketFrom(app, '203.0.113.5')), { type: 'authentication_success' })
})
