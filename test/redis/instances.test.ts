import t, { type Test } from 'tap'
import { Client, authHeaders, authenticated, issueTicket, listen, tokenFor, type App } from '../helper.js'
import { REDIS_MISSING, dump, redisCluster, redisUrl, uniquePrefix } from '../support/redis.js'

/**
 * Two instances of the service on one Redis (single node, then Cluster), over
 * real sockets: whatever one instance does, the other sees.
 */
const backends = [
  { name: 'redis', env: async (t: Test) => ({ REDIS_URL: await redisUrl(t) }) },
  { name: 'redis cluster', env: async (t: Test) => ({ REDIS_CLUSTER_NODES: await redisCluster(t) }) }
] as Array<{ name: string, env: (t: Test) => Promise<Record<string, string>> }>

type Instance = Awaited<ReturnType<typeof listen>>

/** The credentials a client sends on GET / DELETE (no body, so no Content-Type). */
function credentials (app: App, userId: string): Record<string, string> {
  const { 'content-type': _, ...headers } = authHeaders(tokenFor(app, userId))
  return headers
}

async function ticketRequest (app: App, userId: string) {
  return await app.inject({
    method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(app, userId)), payload: { userId }
  })
}

for (const backend of backends) {
  t.test(`two instances on one ${backend.name}`, { skip: REDIS_MISSING }, async t => {
    const prefix = uniquePrefix()
    const redis = await backend.env(t)
    const env = { ...redis, REDIS_KEY_PREFIX: prefix, TICKET_RATE_LIMIT: '3', MAX_SESSIONS_PER_USER: '2' }
    const [a, b]: Instance[] = [await listen(t, env), await listen(t, env)]
    const issued: string[] = []

    t.test(`${backend.name} › a ticket issued on A is redeemed on B, and refused as used on A`, async t => {
      const ticket = await issueTicket(a.app, 'alice')
      issued.push(ticket)
      const [onB, hello] = await Client.connect(b.ws)
      t.teardown(() => onB.close())
      const ok = await onB.request({ type: 'ticket_authenticate', ticket })
      t.match(ok, { type: 'authentication_success', sessionId: hello.sessionId, user: { userId: 'alice' } })
      const listed = await a.app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: credentials(a.app, 'alice') })
      t.same(listed.json().sessions.map((s: { sessionId: string }) => s.sessionId), [hello.sessionId], 'A lists the session held by B')

      const [onA] = await Client.connect(a.ws)
      t.teardown(() => onA.close())
      t.match(await onA.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_error', code: 'TICKET_USED' })
    })

    t.test(`${backend.name} › 50 sockets split over A and B redeem one ticket at once: exactly one wins, 20 times`, async t => {
      for (let round = 0; round < 20; round++) {
        const user = `racer-${round}`
        const ticket = await issueTicket(round % 2 === 0 ? a.app : b.app, user)
        issued.push(ticket)
        const clients = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await Client.connect(i % 2 === 0 ? a.ws : b.ws))[0]))
        for (const client of clients) client.send({ type: 'ticket_authenticate', ticket })
        const answers = await Promise.all(clients.map(async client => await client.next()))
        const codes = answers.map(m => m.type === 'authentication_success' ? 'ok' : m.code)
        t.equal(codes.filter(c => c === 'ok').length, 1, `round ${round}: one success`)
        t.equal(codes.filter(c => c === 'TICKET_USED').length, 49, `round ${round}: 49 TICKET_USED`)
        for (const client of clients) client.close()
        await Promise.all(clients.map(async client => await client.closed))
      }
    })

    t.test(`${backend.name} › a session revoked through A's DELETE route closes 4007 on B`, async t => {
      const [onB, ok] = await authenticated(a.app, b.ws, 'bob')
      const headers = credentials(a.app, 'bob')
      const stranger = await a.app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId}`, headers: credentials(a.app, 'mallory') })
      t.equal(stranger.statusCode, 404, "another user's session is not found")
      const res = await a.app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId}`, headers })
      t.same(res.json(), { success: true })
      t.match(await onB.next(), { type: 'session_revoked' })
      t.match(await onB.closed, { code: 4007 })
      t.equal(await b.app.store.getSession(ok.sessionId), undefined, 'the record is gone')
      const listed = await b.app.inject({ method: 'GET', url: '/api/websocket/sessions', headers })
      t.same(listed.json().sessions, [])
    })

    t.test(`${backend.name} › sendToUser and sendToSession on A reach sockets held by B`, async t => {
      const [onB, ok] = await authenticated(a.app, b.ws, 'erin')
      t.teardown(() => onB.close())
      await a.app.sendToUser('erin', { type: 'chat_response', content: 'to erin' })
      t.match(await onB.next(), { type: 'chat_response', content: 'to erin' })
      await a.app.sendToSession(ok.sessionId, { type: 'chat_response', content: 'to the session' })
      t.match(await onB.next(), { type: 'chat_response', content: 'to the session' })
    })

    t.test(`${backend.name} › a socket closed on B leaves no session behind`, async t => {
      const [onB, ok] = await authenticated(a.app, b.ws, 'carol')
      onB.close()
      await onB.closed
      // removal follows the close asynchronously
      for (let i = 0; i < 50 && (await a.app.store.getSession(ok.sessionId)) !== undefined; i++) await new Promise(resolve => setTimeout(resolve, 20))
      t.same(await a.app.store.listSessions('carol'), [])
    })

    t.test(`${backend.name} › MAX_SESSIONS_PER_USER holds across A and B`, async t => {
      const [first] = await authenticated(a.app, a.ws, 'dora')
      const [second] = await authenticated(a.app, b.ws, 'dora')
      const [third] = await Client.connect(a.ws)
      t.match(await third.request({ type: 'ticket_authenticate', ticket: await issueTicket(b.app, 'dora') }), { type: 'authentication_error', code: 'SESSION_LIMIT' })
      for (const client of [first, second, third]) client.close()
    })

    t.test(`${backend.name} › the ticket rate limit holds across A and B`, async t => {
      const answers = []
      for (const app of [a.app, b.app, a.app, b.app, a.app]) answers.push(await ticketRequest(app, 'limited'))
      t.same(answers.map(r => r.statusCode), [200, 200, 200, 429, 429])
      t.same(answers.map(r => r.headers['x-ratelimit-remaining']), ['2', '1', '0', '0', '0'])
      t.equal(answers[3].json().code, 'RATE_LIMITED')
      t.ok(Number(answers[3].headers['retry-after']) > 0, 'Retry-After is set')
      issued.push(...answers.slice(0, 3).map(r => r.json().ticket))
    })

    t.test(`${backend.name} › Redis holds neither tickets nor tokens, only digests and records`, async t => {
      const stored = await dump(redis.REDIS_URL ?? redis.REDIS_CLUSTER_NODES, prefix)
      const token = tokenFor(a.app, 'alice')
      const text = JSON.stringify(stored)
      t.ok(stored.length > 0)
      for (const ticket of issued) t.notOk(text.includes(ticket.slice('ws_ticket_'.length)), 'no key or value holds a ticket')
      t.notOk(text.includes(token.split('.')[2]), 'no key or value holds a JWT')
      t.ok(stored.every(k => /^t:[0-9a-f]{64}$|^s:session_|^\{u:|^rl:/.test(k.key.slice(prefix.length))), 'only the documented key families')
      t.ok(stored.some(k => k.key.startsWith(`${prefix}rl:`)), 'rate-limit counters live under the prefix')
    })
  })
}
