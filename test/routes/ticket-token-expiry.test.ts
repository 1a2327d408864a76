import t from 'tap'
import { authHeaders, build, tokenFor, type App } from '../helper.js'
import { ticketDigest } from '../../src/ticket.js'

/** Issue a ticket with `token` and redeem it straight from the store, to read what was kept. */
async function kept (app: App, token: string) {
  const res = await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(token), payload: { userId: 'alice' } })
  t.equal(res.statusCode, 200)
  const result = await app.store.consumeTicket(ticketDigest(res.json().ticket))
  if (result.status !== 'ok') throw new Error(`ticket not redeemable: ${result.status}`)
  return result.ticket
}

t.test('POST /api/websocket/ticket › the ticket keeps the user JWT\'s exp in ms, never the token', async t => {
  const app = await build(t)
  const exp = Math.floor(Date.now() / 1000) + 600
  const token = tokenFor(app, 'alice', { exp })
  const ticket = await kept(app, token)
  t.equal(ticket.tokenExpiresAt, exp * 1000)
  t.notOk(JSON.stringify(ticket).includes(token.split('.')[2]), 'no part of the token is stored')
})

t.test('POST /api/websocket/ticket › a JWT without exp leaves tokenExpiresAt unset', async t => {
  const app = await build(t)
  t.equal((await kept(app, tokenFor(app, 'alice'))).tokenExpiresAt, undefined)
})
