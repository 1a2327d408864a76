import t from 'tap'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { Client, TEST_ENV, authHeaders, authenticated, issueTicket, tokenFor, type App } from '../helper.js'
import { REDIS_MISSING, startRedis, uniquePrefix } from '../support/redis.js'
import { until } from '../support/wait.js'

/**
 * Redis goes away under a running instance (killed, then frozen) and comes
 * back on the same port: the service answers the documented codes within a
 * bound while it is gone, and recovers by itself with no ticket lost or
 * spent twice. The server keeps its data (AOF, fsync always), as a real one would.
 */
// REDIS_COMMAND_TIMEOUT_MS below is 500: at most two calls time out per request; the rest is slack for a loaded machine.
const BOUND_MS = 3000

async function timed<T> (work: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now()
  const result = await work()
  return [result, Date.now() - started]
}

t.test('redis outage', { skip: REDIS_MISSING }, async t => {
  const server = await startRedis(t, { durable: true })
  const problems: string[] = []
  const onRejection = (reason: unknown): void => { problems.push(`unhandled rejection: ${String(reason)}`) }
  process.on('unhandledRejection', onRejection)
  const consoleError = console.error
  console.error = (...args: unknown[]) => { problems.push(args.join(' ')) }
  t.teardown(() => { process.off('unhandledRejection', onRejection); console.error = consoleError })

  const logs: string[] = []
  const config = loadConfig({ ...TEST_ENV, REDIS_URL: server.url, REDIS_KEY_PREFIX: uniquePrefix(), REDIS_COMMAND_TIMEOUT_MS: '500', TICKET_RATE_LIMIT: '100' })
  const app: App = await buildApp({ config }, { logger: { level: 'info', stream: { write: (line: string) => { logs.push(line) } } } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const ws = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`
  const ticketRoute = async () => await app.inject({
    method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(app, 'olivia')), payload: { userId: 'olivia' }
  })
  const health = async () => (await app.inject({ method: 'GET', url: '/health' })).statusCode
  const redeem = async (ticket: string) => {
    const [client] = await Client.connect(ws)
    t.teardown(() => client.close())
    return await client.request({ type: 'ticket_authenticate', ticket })
  }

  // Before: one ticket spent, one kept for later, one socket authenticated.
  const spent = await issueTicket(app, 'olivia')
  t.equal((await redeem(spent)).type, 'authentication_success')
  const kept = await issueTicket(app, 'olivia')
  const [chatting, session] = await authenticated(app, ws, 'olivia')
  t.teardown(() => chatting.close())

  t.test('redis outage › while Redis is down: 503 DATABASE_ERROR, AUTH_ERROR, /health 503, within the bound', async t => {
    await server.stop()
    await until('the disconnect to be noticed', async () => await health() === 503)
    const [issued, issueMs] = await timed(ticketRoute)
    t.equal(issued.statusCode, 503)
    t.equal(issued.json().code, 'DATABASE_ERROR')
    const [answer, authMs] = await timed(async () => await redeem(kept))
    t.match(answer, { type: 'authentication_error', code: 'AUTH_ERROR' })
    const sessions = await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: { authorization: `Bearer ${tokenFor(app, 'olivia')}`, 'x-chat-server-key': 'UD21' } })
    t.equal(sessions.statusCode, 503)
    t.match(await chatting.request({ type: 'chat_message', content: 'still here' }), { type: 'chat_response', content: 'Echo: still here' }, 'authenticated sockets keep working')
    t.ok(issueMs < BOUND_MS && authMs < BOUND_MS, `answers are bounded (${issueMs} ms, ${authMs} ms)`)
    // Let a few reconnect attempts fail: one warning per connection, not one per attempt.
    await new Promise(resolve => setTimeout(resolve, 700))
  })

  t.test('redis outage › after a restart on the same port everything recovers without a restart of the service', async t => {
    await server.start()
    await until('/health to recover', async () => await health() === 200)
    t.match(await redeem(kept), { type: 'authentication_success' }, 'the ticket tried during the outage was not consumed')
    t.match(await redeem(spent), { type: 'authentication_error', code: 'TICKET_USED' }, 'the ticket spent before is still spent')
    t.match(await redeem(kept), { type: 'authentication_error', code: 'TICKET_USED' }, 'and the kept one is spent exactly once')
    t.equal((await ticketRoute()).statusCode, 200)
    const revoked = await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${session.sessionId}`, headers: { authorization: `Bearer ${tokenFor(app, 'olivia')}`, 'x-chat-server-key': 'UD21' } })
    t.equal(revoked.statusCode, 200)
    t.match(await chatting.next(), { type: 'session_revoked' }, 'events flow again: the subscription was renewed')
    t.match(await chatting.closed, { code: 4007 })
    const warnings = logs.filter(l => l.includes('connection failed, reconnecting'))
    t.equal(warnings.length, 2, 'one warning per connection (commands, events)')
    t.equal(logs.filter(l => l.includes('connection ready')).length, 2, 'and one recovery note each')
  })

  t.test('redis outage › a frozen Redis (no answer, connection open) is cut off by the command timeout', async t => {
    server.pause()
    const [issued, issueMs] = await timed(ticketRoute)
    t.equal(issued.statusCode, 503)
    t.equal(issued.json().code, 'DATABASE_ERROR')
    const [status, healthMs] = await timed(health)
    t.equal(status, 503)
    t.ok(issueMs < BOUND_MS && healthMs < BOUND_MS, `answers are bounded (${issueMs} ms, ${healthMs} ms)`)
    server.resume()
    await until('/health to recover', async () => await health() === 200)
    t.equal((await ticketRoute()).statusCode, 200)
  })

  t.test('redis outage › the service closes promptly while Redis is down', async t => {
    await server.stop()
    await until('the disconnect to be noticed', async () => await health() === 503)
    const [, closeMs] = await timed(async () => { await app.close() })
    t.ok(closeMs < BOUND_MS, `closed in ${closeMs} ms`)
    t.same(problems, [], 'no unhandled rejection, no unhandled ioredis error event')
  })
})
