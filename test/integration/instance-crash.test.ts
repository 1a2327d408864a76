import t from 'tap'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createSigner } from 'fast-jwt'
import { DEV_JWT_SECRET } from '../../src/config.js'
import { authHeaders, Client, type Message, type Tap } from '../helper.js'
import { postgresForTests } from '../support/postgres.js'
import { REDIS_MISSING, startRedis, uniquePrefix } from '../support/redis.js'
import { startServer } from '../support/server.js'
import { until } from '../support/wait.js'

const LEASE_MS = 2000
/** Polling, one HTTP round trip and a loaded machine's scheduling, on top of the lease. */
const SLACK_MS = 750
const postgres = await postgresForTests()

const sign = createSigner({ key: DEV_JWT_SECRET, algorithm: 'HS256' })

/** One `npm start` instance of the service on a shared store, as a child process. */
async function instance (t: Tap, storeEnv: Record<string, string>) {
  const env = { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SESSION_LEASE_SECONDS: String(LEASE_MS / 1000), MAX_SESSIONS_PER_USER: '2', ...storeEnv }
  const server = startServer(env)
  t.teardown(() => { server.child.kill('SIGKILL') })
  const base = await server.listening
  return { server, base, ws: `${base.replace('http', 'ws')}/ws` }
}
type Instance = Awaited<ReturnType<typeof instance>>

/** A user's socket on `at`, through the real ticket route; the answer to its authentication. */
async function authenticate (at: Instance, userId: string): Promise<Message> {
  const res = await fetch(`${at.base}/api/websocket/ticket`, { method: 'POST', headers: authHeaders(sign({ userId })), body: JSON.stringify({ userId }) })
  const [client] = await Client.connect(at.ws)
  return await client.request({ type: 'ticket_authenticate', ticket: (await res.json()).ticket })
}

async function listed (at: Instance, userId: string): Promise<string[]> {
  const res = await fetch(`${at.base}/api/websocket/sessions`, { headers: authHeaders(sign({ userId })) })
  return (await res.json()).sessions.map((s: { sessionId: string }) => s.sessionId)
}

const stores = [
  { name: 'redis', skip: REDIS_MISSING, env: async (t: Tap) => ({ REDIS_URL: (await startRedis(t)).url, REDIS_KEY_PREFIX: uniquePrefix() }) },
  { name: 'postgres', skip: postgres.skip === false ? undefined : postgres.skip, env: async () => ({ DATABASE_URL: await postgres.database() }) }
]

for (const store of stores) {
  t.test(`SIGKILL of an instance (${store.name}) › its sessions leave the survivor's listing and count within SESSION_LEASE_SECONDS; the survivor's stay`, { skip: store.skip }, async t => {
    const env = await store.env(t)
    const [a, b] = await Promise.all([instance(t, env), instance(t, env)])
    const userId = `crash-${randomBytes(4).toString('hex')}`
    const onA = (await authenticate(a, userId)).sessionId
    const onB = (await authenticate(b, userId)).sessionId
    t.same((await listed(a, userId)).sort(), [onA, onB].sort(), 'both listed on the survivor')
    t.match(await authenticate(a, userId), { code: 'SESSION_LIMIT' }, 'both counted')

    b.server.child.kill('SIGKILL')
    const killedAt = Date.now()
    await until('the dead instance\'s session leaves the listing', async () => !(await listed(a, userId)).includes(onB), LEASE_MS + SLACK_MS)
    const took = Date.now() - killedAt
    t.ok(took <= LEASE_MS + SLACK_MS, `gone ${took} ms after the kill (lease ${LEASE_MS} ms)`)
    const revoke = await fetch(`${a.base}/api/websocket/sessions/${onB}`, { method: 'DELETE', headers: authHeaders(sign({ userId })) })
    t.equal(revoke.status, 404, 'nor can it be found by id')
    t.match(await authenticate(a, userId), { type: 'authentication_success' }, 'it no longer counts')

    // The survivor renews its own: still listed two leases after the kill.
    await sleep(Math.max(0, killedAt + 2 * LEASE_MS - Date.now()))
    t.ok((await listed(a, userId)).includes(onA), 'the survivor\'s session is still listed')
  })
}
