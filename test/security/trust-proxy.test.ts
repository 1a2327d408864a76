import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { resolveConfig } from '../../src/config/resolve.js'
import { authHeaders, Client, listen, tokenFor, type App } from '../helper.js'

/**
 * An appending proxy, as the test plays it: the client writes whatever
 * X-Forwarded-For it likes (`forged`), the proxy appends the address it saw
 * the client connect from (`client`), then connects to the service itself.
 */
const viaProxy = (client: string, forged = '') => ({ 'x-forwarded-for': forged === '' ? client : `${forged}, ${client}` })

async function ticketFrom (app: App, headers: Record<string, string>): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/api/websocket/ticket', headers: { ...authHeaders(tokenFor(app, 'alice')), ...headers }, payload: { userId: 'alice' }
  })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json().ticket
}

t.test('TRUST_PROXY › false, a hop count or proxy addresses/CIDR ranges; true is refused naming the variable', async t => {
  t.equal(loadConfig({}).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustProxy, ['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'])
  for (const bad of ['true', 'yes', 'ON']) t.throws(() => loadConfig({ TRUST_PROXY: bad }), { name: 'ConfigError', message: /TRUST_PROXY=true is refused/ })
  for (const bad of ['proxy.local', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '10.0.0.0/x', ',']) {
    t.throws(() => loadConfig({ TRUST_PROXY: bad }), new ConfigError(`Invalid environment variable TRUST_PROXY=${JSON.stringify(bad)}: expected false, a hop count, or proxy addresses/CIDR ranges (${bad === ',' ? ',' : bad})`))
  }
  // Library mode: the same forms as values.
  t.equal(resolveConfig({ trustProxy: 1 }).trustProxy, 1)
  t.equal(resolveConfig({ trustProxy: 0 }).trustProxy, false)
  t.same(resolveConfig({ trustProxy: ['127.0.0.1'] }).trustProxy, ['127.0.0.1'])
  t.throws(() => resolveConfig({ trustProxy: true as never }), /TRUST_PROXY=true is refused/)
})

for (const trust of ['1', '127.0.0.1', '127.0.0.0/8']) {
  t.test(`TRUST_PROXY=${trust} › one client forging X-Forwarded-For entries cannot pass MAX_CONNECTIONS_PER_IP=100 (110 sockets)`, async t => {
    const { ws } = await listen(t, { TRUST_PROXY: trust })
    const outcomes = await Promise.allSettled(Array.from({ length: 110 }, async (_, i) => {
      const [client] = await Client.connect(ws, { headers: viaProxy('203.0.113.5', `198.51.100.${i}`) })
      t.teardown(() => client.close())
    }))
    t.equal(outcomes.filter(o => o.status === 'fulfilled').length, 100)
    t.ok(outcomes.every(o => o.status === 'fulfilled' || /HTTP 429/.test(String(o.reason))), 'the rest refused 429 CONNECTION_LIMIT')
    const [other] = await Client.connect(ws, { headers: viaProxy('203.0.113.6', '203.0.113.5') })
    other.close()
  })
}

t.test('TRUST_PROXY=2 › behind a CDN and a load balancer the client address is the one the CDN appended', async t => {
  const { app, ws } = await listen(t, { TRUST_PROXY: '2', TICKET_BIND_IP: 'true' })
  // Client-written entries, then the client as the CDN saw it, then the CDN edge as the load balancer saw it.
  const ticket = await ticketFrom(app, { 'x-forwarded-for': '192.0.2.1, 203.0.113.5, 198.51.100.20' })
  const redeem = async (xff: string) => {
    const [client] = await Client.connect(ws, { headers: { 'x-forwarded-for': xff } })
    t.teardown(() => client.close())
    return await client.request({ type: 'ticket_authenticate', ticket })
  }
  t.match(await redeem('203.0.113.5, 198.51.100.99, 198.51.100.21'), { code: 'IP_MISMATCH' }, 'the forged owner address is not taken')
  t.match(await redeem('10.1.1.1, 203.0.113.5, 198.51.100.21'), { type: 'authentication_success' }, 'the owner, through another edge')
})

t.test('TRUST_PROXY=1 › unauthenticated slots cannot be filled by one client forging addresses', async t => {
  const { ws } = await listen(t, { TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: '3', MAX_UNAUTHENTICATED_SOCKETS: '5' })
  const attacker = await Promise.allSettled(Array.from({ length: 10 }, async (_, i) => {
    const [client] = await Client.connect(ws, { headers: viaProxy('203.0.113.5', `10.0.0.${i}`) })
    t.teardown(() => client.close())
  }))
  t.equal(attacker.filter(o => o.status === 'fulfilled').length, 3, 'the attacker holds its own 3 places only')
  const [other] = await Client.connect(ws, { headers: viaProxy('203.0.113.6') })
  t.teardown(() => other.close())
})

t.test('TRUST_PROXY=1 › a bound ticket redeemed by another client that forged the owner\'s address first is IP_MISMATCH', async t => {
  const { app, ws } = await listen(t, { TRUST_PROXY: '1', TICKET_BIND_IP: 'true' })
  const ticket = await ticketFrom(app, viaProxy('192.0.2.1'))
  const [thief] = await Client.connect(ws, { headers: viaProxy('198.51.100.7', '192.0.2.1') })
  t.teardown(() => thief.close())
  t.match(await thief.request({ type: 'ticket_authenticate', ticket }), { code: 'IP_MISMATCH' })
  const [owner] = await Client.connect(ws, { headers: viaProxy('192.0.2.1', '198.51.100.7') })
  t.teardown(() => owner.close())
  t.match(await owner.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_success' }, 'unspent: its owner redeems it')
})
