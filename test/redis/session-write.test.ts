import t from 'tap'
import { Redis } from 'ioredis'
import { Client, issueTicket, listen } from '../helper.js'
import { REDIS_MISSING, startRedis, uniquePrefix } from '../support/redis.js'

t.test('ticket_authenticate › AUTH_ERROR when Redis refuses the session write after the consume', { skip: REDIS_MISSING }, async t => {
  const server = await startRedis(t)
  const prefix = uniquePrefix()
  const admin = new Redis(server.url)
  t.teardown(() => admin.disconnect())
  // This instance may write tickets and its rate-limit counters, but no session keys.
  await admin.call('ACL', 'SETUSER', 'nosessions', 'on', '>pw', '+@all', '&*', `~${prefix}t:*`, `~${prefix}rl:*`)
  const { app, ws } = await listen(t, { REDIS_URL: `redis://nosessions:pw@127.0.0.1:${server.port}`, REDIS_KEY_PREFIX: prefix })
  const ticket = await issueTicket(app, 'gina')
  const [client] = await Client.connect(ws)
  t.teardown(() => client.close())
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_error', code: 'AUTH_ERROR' })
  // The consume had already happened: one atomic step cannot span two slots, so the ticket is spent (see docs/redis.md).
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_error', code: 'TICKET_USED' })
  t.same(await admin.keys(`${prefix}s:*`), [])
})
