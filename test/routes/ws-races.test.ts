import t from 'tap'
import { listen, issueTicket, authHeaders, tokenFor, Client, authenticated, type App, type Message } from '../helper.js'
import { backends } from '../support/backends.js'
import { StoreUnavailableError, type Store } from '../../src/stores/types.js'
import { removalOf } from '../support/events.js'

const ENV = { MAX_CONNECTIONS_PER_IP: '1000', MAX_UNAUTHENTICATED_SOCKETS: '1000', TICKET_RATE_LIMIT: '100000' }
const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))
const connectAll = async (urls: string[]) => await Promise.all(urls.map(async url => (await Client.connect(url))[0]))
const closeAll = (clients: Client[]) => { for (const c of clients) c.socket.terminate() }

/** The store, except that createSession answers `ms` after it wrote: a slow network reply. */
function slowSessionReplies (store: Store, ms: number): Store {
  return { ...store, createSession: async (...args) => { const created = await store.createSession(...args); await sleep(ms); return created } }
}

/** The stored sessions of a user, once `removed` (the removal the test waits for) has finished. */
async function settledSessions (app: App, userId: string, removed?: Promise<unknown>): Promise<string[]> {
  await removed
  return (await app.store.listSessions(userId)).map(s => s.sessionId).sort()
}

for (const backend of backends) {
  t.test(`races › ${backend.name}`, { skip: backend.skip }, async t => {
    const handle = await backend.open(t)
    const a = await listen(t, ENV, { store: await handle.connect() })
    const b = await listen(t, ENV, { store: await handle.connect() })

    t.test('100 concurrent redemptions of one ticket across two instances, 50 times: exactly one success each time', async t => {
      const winners: number[] = []
      for (let round = 0; round < 50; round++) {
        const user = `race-${round}`
        const ticket = await issueTicket(round % 2 === 0 ? a.app : b.app, user)
        const clients = await connectAll(Array.from({ length: 100 }, (_, i) => i % 2 === 0 ? a.ws : b.ws))
        for (const c of clients) c.send({ type: 'ticket_authenticate', ticket })
        const answers = await Promise.all(clients.map(async c => await c.next()))
        winners.push(answers.filter(m => m.type === 'authentication_success').length)
        const losers = answers.filter(m => m.type !== 'authentication_success')
        if (losers.some(m => m.code !== 'TICKET_USED')) t.fail(`round ${round}: ${JSON.stringify(losers.find(m => m.code !== 'TICKET_USED'))}`)
        if ((await a.app.store.listSessions(user)).length !== 1) t.fail(`round ${round}: not exactly one session stored`)
        closeAll(clients)
      }
      t.same(winners, Array(50).fill(1), 'one success in every round')
    })

    t.test('revocation racing authentication of one user, 20 times: the store holds exactly the open sessions', async t => {
      for (let round = 0; round < 20; round++) {
        const user = `revoke-${round}`
        const [old, ok] = await authenticated(a.app, a.ws, user)
        const fresh = await connectAll([a.ws, b.ws])
        const tickets = await Promise.all(fresh.map(async () => await issueTicket(a.app, user)))
        const oldRemoved = removalOf(a.app.liveSockets.events, ok.sessionId)
        const revoked = b.app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId as string}`, headers: authHeaders(tokenFor(b.app, user)) })
        fresh.forEach((c, i) => { c.send({ type: 'ticket_authenticate', ticket: tickets[i] }) })
        t.equal((await revoked).statusCode, 200)
        t.equal((await old.closed).code, 4007, 'the revoked socket is closed')
        const answers = await Promise.all(fresh.map(async c => await c.next()))
        t.same(answers.map(m => m.type), ['authentication_success', 'authentication_success'])
        const open = answers.map(m => m.sessionId as string).sort()
        t.same(await settledSessions(a.app, user, oldRemoved), open, 'no session lost, none leaked')
        closeAll(fresh)
      }
    })

    t.test('a revocation that overtakes its authentication still closes the socket, and leaves no session', async t => {
      const slow = await listen(t, ENV, { store: slowSessionReplies(await handle.connect(), 200) })
      const user = 'overtaken'
      const [client, hello] = await Client.connect(slow.ws)
      const removed = removalOf(slow.app.liveSockets.events, hello.sessionId)
      client.send({ type: 'ticket_authenticate', ticket: await issueTicket(slow.app, user) })
      // The record is written at once; its reply (and the socket's attach) comes 200 ms later.
      let status = 404
      while (status === 404) {
        await sleep(10)
        status = (await b.app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${hello.sessionId as string}`, headers: authHeaders(tokenFor(b.app, user)) })).statusCode
      }
      t.equal(status, 200, 'revoked from the other instance before the socket was attached')
      const seen: Message[] = []
      while (seen.at(-1)?.type !== 'session_revoked') seen.push(await client.next())
      t.notOk(seen.some(m => m.type === 'authentication_success'), 'never reported authenticated')
      t.equal((await client.closed).code, 4007)
      t.same(await settledSessions(a.app, user, removed), [])
    })

    t.test('a session write whose reply is lost leaves no session; a retry on the same connection keeps its own', async t => {
      const store = await handle.connect()
      let lose = true
      const lossy: Store = {
        ...store,
        createSession: async (...args) => {
          const created = await store.createSession(...args)
          if (!lose) return created
          lose = false
          throw new StoreUnavailableError('reply lost (injected)')
        }
      }
      const lossyApp = await listen(t, ENV, { store: lossy })
      const user = 'lost-reply'
      const [client, hello] = await Client.connect(lossyApp.ws)
      const lostRemoved = removalOf(lossyApp.app.liveSockets.events, hello.sessionId)
      t.equal((await client.request({ type: 'ticket_authenticate', ticket: await issueTicket(lossyApp.app, user) })).code, 'AUTH_ERROR')
      t.same(await settledSessions(a.app, user, lostRemoved), [], 'the record written behind the lost reply is removed')
      t.equal((await client.request({ type: 'ticket_authenticate', ticket: await issueTicket(lossyApp.app, user) })).type, 'authentication_success')
      t.same(await settledSessions(a.app, user), [hello.sessionId], 'the retry keeps its session')
      client.close()
    })

    t.test('tickets presented as they expire (TICKET_TTL_SECONDS=1): at most one success, none after expiresAt', async t => {
      const issuer = await listen(t, { ...ENV, TICKET_TTL_SECONDS: '1' }, { store: await handle.connect() })
      const OFFSETS = [-200, -50, -10, 0, 10, 50, 200]
      const issued = await Promise.all(Array.from({ length: 5 }, async (_, i) => {
        const res = await issuer.app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(issuer.app, `expiry-${i}`)), payload: { userId: `expiry-${i}` } })
        if (res.statusCode !== 200) throw new Error(res.body)
        return res.json() as { ticket: string, expiresAt: string }
      }))
      const results = await Promise.all(issued.map(async ({ ticket, expiresAt }) => {
        const deadline = Date.parse(expiresAt)
        const bursts = await Promise.all(OFFSETS.map(async offset => {
          const clients = await connectAll([a.ws, b.ws, a.ws])
          await sleep(deadline + offset - Date.now())
          const sentAt = Date.now()
          for (const c of clients) c.send({ type: 'ticket_authenticate', ticket })
          const answers = await Promise.all(clients.map(async c => await c.next()))
          closeAll(clients)
          return answers.map(m => ({ sentAt, outcome: (m.code ?? m.type) as string }))
        }))
        return { deadline, answers: bursts.flat() }
      }))
      for (const { deadline, answers } of results) {
        t.ok(answers.filter(x => x.outcome === 'authentication_success').length <= 1, 'at most one success')
        t.same(answers.filter(x => !['authentication_success', 'TICKET_USED', 'TICKET_EXPIRED'].includes(x.outcome)), [], 'only success, used or expired')
        t.same(answers.filter(x => x.sentAt >= deadline && x.outcome === 'authentication_success'), [], 'nothing succeeds once expiresAt has passed')
        t.ok(answers.some(x => x.outcome === 'TICKET_EXPIRED'), 'the late ones are told it expired')
      }
    })
  })
}
