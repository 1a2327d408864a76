import t, { type Test } from 'tap'
import { authHeaders, authenticated, listen, tokenFor, type App, type Client, type Message } from '../helper.js'
import { REDIS_MISSING, startRedis, uniquePrefix } from '../support/redis.js'
import { command, until } from '../support/redis-replication.js'

/**
 * GET /health `checks.events` on Redis (§4): a real publish-and-receive round
 * trip, shared by concurrent health checks; a subscriber that is killed, and
 * then cannot subscribe again, is reported and repaired by itself.
 */
const health = async (app: App) => await app.inject({ method: 'GET', url: '/health' })

t.test('GET /health › events on Redis', { skip: REDIS_MISSING }, async t => {
  // A server of our own: CLIENT KILL and ACL changes must not reach anyone else's connections.
  const server = await startRedis(t)
  const env = { REDIS_URL: server.url, REDIS_KEY_PREFIX: uniquePrefix() }
  const [a, b] = [await listen(t, env), await listen(t, env)]
  const publishes = async () => Number(/cmdstat_publish:calls=(\d+)/.exec(String(await command(server.port, 'INFO', 'commandstats')))?.[1] ?? 0)

  t.test('GET /health › 50 concurrent checks cost one round trip, and the result is reused', async t => {
    const { app } = await listen(t, env)
    const before = await publishes()
    const answers = await Promise.all(Array.from({ length: 50 }, async () => await health(app)))
    t.same(new Set(answers.map(res => res.statusCode)), new Set([200]))
    t.match(answers[0].json(), { status: 'healthy', checks: { store: 'up', events: 'up' } })
    await Promise.all(Array.from({ length: 50 }, async () => await health(app)))
    t.equal(await publishes() - before, 1, 'one PUBLISH for 100 health checks')
  })

  /** Revoke a session of B's through A: it must reach B's socket over the event channel. */
  async function revokedAcross (t: Test, victim: Client, session: Message): Promise<void> {
    const revoked = await a.app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${session.sessionId as string}`, headers: authHeaders(tokenFor(a.app, session.user.userId)) })
    t.equal(revoked.statusCode, 200)
    t.match(await victim.next(), { type: 'session_revoked' }, 'a revocation after the recovery reaches the other instance')
    t.equal((await victim.closed).code, 4007)
  }

  t.test('GET /health › subscribers killed with CLIENT KILL TYPE pubsub come back by themselves', async t => {
    const [victim, session] = await authenticated(b.app, b.ws, 'vic')
    t.teardown(() => victim.close())
    t.ok(Number(await command(server.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub')) >= 2, 'both instances\' subscribers were killed')
    for (const app of [a.app, b.app]) await until('/health to be healthy', async () => (await health(app)).statusCode === 200)
    await revokedAcross(t, victim, session)
  })

  t.test('GET /health › a killed subscriber that cannot subscribe again: 503 events down, then repaired by itself', async t => {
    const [victim, session] = await authenticated(b.app, b.ws, 'vera')
    t.teardown(() => victim.close())
    // Channels forbidden: the subscribers' reconnect cannot subscribe, and the probe cannot be published.
    await command(server.port, 'ACL', 'SETUSER', 'default', 'resetchannels')
    t.teardown(async () => await command(server.port, 'ACL', 'SETUSER', 'default', 'allchannels'))
    await command(server.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub')
    await until('/health to report the event channel down', async () => {
      const res = await health(a.app)
      return res.statusCode === 503 && res.json().checks.events === 'down' && res.json().checks.store === 'up'
    })
    // Allowed again: publishing works, but nothing is subscribed until a lost probe reconnects the subscriber.
    await command(server.port, 'ACL', 'SETUSER', 'default', 'allchannels')
    for (const app of [a.app, b.app]) await until('/health to recover by itself', async () => (await health(app)).statusCode === 200)
    await revokedAcross(t, victim, session)
  })
})
