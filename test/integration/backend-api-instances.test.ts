import t, { type Test } from 'tap'
import { authHeaders, authenticated, listen, tokenFor, type Client, type Message } from '../helper.js'
import { REDIS_MISSING, redisUrl, uniquePrefix } from '../support/redis.js'
import { postgresForTests } from '../support/postgres.js'
import { until } from '../support/wait.js'
import type { StoreEvent } from '../../src/stores/types.js'

/**
 * The backend API across two instances sharing one store (Redis, PostgreSQL),
 * over real sockets: a call to either instance acts on the sockets of both.
 */
const KEY = 'backend-instances-key'
const postgres = await postgresForTests()
const backends = [
  { name: 'Redis', skip: REDIS_MISSING, env: async (t: Test) => ({ REDIS_URL: await redisUrl(t), REDIS_KEY_PREFIX: uniquePrefix() }) },
  { name: 'PostgreSQL', skip: postgres.skip, env: async () => ({ DATABASE_URL: await postgres.database() }) }
]
type Instance = Awaited<ReturnType<typeof listen>>

async function call ({ app }: Instance, method: 'GET' | 'DELETE' | 'POST', url: string, payload?: object) {
  return await app.inject({ method, url, headers: { authorization: `Bearer ${KEY}` }, ...(payload === undefined ? {} : { payload }) })
}

/** Sockets of `userId`: two on A, one on B. */
async function spread (a: Instance, b: Instance, userId: string): Promise<Array<[Client, Message]>> {
  return [await authenticated(a.app, a.ws, userId), await authenticated(b.app, a.ws, userId), await authenticated(a.app, b.ws, userId)]
}

async function expectRevoked (t: Test, sockets: Array<[Client, Message]>, reconnect: boolean): Promise<void> {
  for (const [client] of sockets) {
    t.match(await client.next(), { type: 'session_revoked', reconnect })
    t.equal((await client.closed).code, 4007)
  }
}

for (const backend of backends) {
  t.test(`backend API › two instances on one ${backend.name}`, { skip: backend.skip }, async t => {
    const env = { ...await backend.env(t), BACKEND_API_KEYS: KEY }
    const a = await listen(t, env)
    const b = await listen(t, env)
    const heard: Record<'a' | 'b', StoreEvent[]> = { a: [], b: [] }
    a.app.store.subscribe(event => heard.a.push(event))
    b.app.store.subscribe(event => heard.b.push(event))

    t.test('POST …/messages › a push on A reaches every socket of the user on A and B, and nobody else', async t => {
      const alice = await spread(a, b, 'alice')
      const [bob] = await authenticated(b.app, b.ws, 'bob')
      t.teardown(() => { for (const [c] of [...alice, [bob]]) c.close() })
      const message = { type: 'order_shipped', order: 7, note: 'x'.repeat(9000) }
      t.equal((await call(a, 'POST', '/api/websocket/users/alice/messages', { message })).statusCode, 202)
      for (const [client] of alice) t.same({ ...await client.next(), timestamp: undefined }, { ...message, timestamp: undefined })
      const [[onA, ok]] = alice
      t.equal((await call(b, 'POST', `/api/websocket/sessions/${ok.sessionId as string}/messages`, { message: { type: 'only_you' } })).statusCode, 202)
      t.match(await onA.next(), { type: 'only_you' }, 'one session, held by A, through B')
      for (const [client] of [...alice.slice(1), [bob] as const]) await t.rejects(client.next(300), /no message/, 'nothing else arrives')
    })

    t.test('GET …/presence and …/sessions › B counts and lists sockets held by A and B', async t => {
      const alice = await spread(a, b, 'carol')
      const [dan] = await authenticated(a.app, a.ws, 'dan')
      t.teardown(() => { for (const [c] of [...alice, [dan]]) c.close() })
      t.same((await call(b, 'GET', '/api/websocket/presence?userId=carol&userId=dan&userId=erin')).json().online, { carol: 3, dan: 1, erin: 0 })
      const listed = (await call(b, 'GET', '/api/websocket/users/carol/sessions')).json().sessions.map((s: { sessionId: string }) => s.sessionId)
      t.same(listed.sort(), alice.map(([, ok]) => ok.sessionId).sort())
    })

    t.test('DELETE …/users/:userId/sessions › revoked through A with reconnect: every socket on A and B closes 4007', async t => {
      const frank = await spread(a, b, 'frank')
      const [gina] = await authenticated(b.app, b.ws, 'gina')
      heard.a.length = heard.b.length = 0
      t.same((await call(a, 'DELETE', '/api/websocket/users/frank/sessions', { reconnect: true })).json(), { success: true, revoked: 3 })
      await expectRevoked(t, frank, true)
      for (const side of ['a', 'b'] as const) {
        // Each instance hears the channel on its own connection: B may still be receiving what A closed already.
        await until(`instance ${side} hears 3 revocations`, () => heard[side].filter(e => e.kind === 'revoke').length >= 3)
        const revokes = heard[side].filter(e => e.kind === 'revoke')
        t.same(revokes.map(e => e.sessionId).sort(), frank.map(([, ok]) => ok.sessionId).sort(), `instance ${side} heard each revocation`)
        t.ok(revokes.every(e => e.kind === 'revoke' && e.reconnect === true), `with reconnect: true on ${side}`)
      }
      t.same((await call(b, 'GET', '/api/websocket/presence?userId=frank&userId=gina')).json().online, { frank: 0, gina: 1 })
      t.equal((await gina.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'another user stays connected')
      gina.close()
    })

    t.test('DELETE /api/websocket/sessions › a user logs out everywhere through B: their sockets on A and B close, nobody else\'s', async t => {
      const hank = await spread(a, b, 'hank')
      const [ivy] = await authenticated(a.app, a.ws, 'ivy')
      const { 'content-type': _, ...headers } = authHeaders(tokenFor(b.app, 'hank'))
      t.same((await b.app.inject({ method: 'DELETE', url: '/api/websocket/sessions', headers })).json(), { success: true, revoked: 3 })
      await expectRevoked(t, hank, false)
      t.same(await a.app.store.listSessions('hank'), [])
      t.equal((await ivy.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'another user stays connected')
      ivy.close()
    })
  })
}
