import t from 'tap'
import { createMemoryStore, type MemoryStore } from '../../src/stores/memory.js'
import { listen, issueTicket, authenticated, Client } from '../helper.js'
import { removalOf, waitFor } from '../support/events.js'

/** A real memory store whose operations can be given a network store's latency or outage. */
function faulty (store: MemoryStore, overrides: Partial<MemoryStore>): MemoryStore {
  return Object.assign(Object.create(store) as MemoryStore, overrides)
}

async function redeem (ws: string, ticket: string) {
  const [client] = await Client.connect(ws)
  t.teardown(() => client.close())
  return await client.request({ type: 'ticket_authenticate', ticket })
}

t.test('GET /ws › AUTH_ERROR when the store is down at redemption', async t => {
  const { app, ws } = await listen(t)
  const ticket = await issueTicket(app, 'alice')
  await app.store.close()
  t.match(await redeem(ws, ticket), { type: 'authentication_error', code: 'AUTH_ERROR' })
})

t.test('GET /ws › AUTH_ERROR when the store goes down between the consume and the session', async t => {
  const store = createMemoryStore()
  const { app, ws } = await listen(t, {}, {
    store: faulty(store, {
      consumeTicket: async (digest) => {
        const result = await store.consumeTicket(digest)
        await store.close()
        return result
      }
    })
  })
  t.match(await redeem(ws, await issueTicket(app, 'alice')), { code: 'AUTH_ERROR' })
})

t.test('GET /ws › SESSION_LIMIT when the user already has MAX_SESSIONS_PER_USER sessions', async t => {
  const { app, ws } = await listen(t, { MAX_SESSIONS_PER_USER: '1' })
  const [first] = await authenticated(app, ws, 'alice')
  t.teardown(() => first.close())
  t.match(await redeem(ws, await issueTicket(app, 'alice')), { type: 'authentication_error', code: 'SESSION_LIMIT' })
})

t.test('GET /ws › a client that leaves during authentication leaves no session behind', async t => {
  const store = createMemoryStore()
  // The session is written once the server has seen the client's socket close.
  let serverSawClose!: () => void
  const left = new Promise<void>(resolve => { serverSawClose = resolve })
  const { app, ws } = await listen(t, {}, {
    store: faulty(store, {
      createSession: async (...args) => {
        await left
        return await store.createSession(...args)
      }
    })
  })
  const ticket = await issueTicket(app, 'alice')
  const [client, hello] = await Client.connect(ws)
  void waitFor(app.liveSockets.events, 'released').then(serverSawClose)
  const removed = removalOf(app.liveSockets.events, hello.sessionId)
  client.send({ type: 'ticket_authenticate', ticket })
  client.socket.terminate()
  await removed
  t.equal(store.size().sessions, 0)
  t.same(app.liveSockets.localSessionIds(), [])
})
