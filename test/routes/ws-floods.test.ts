import t from 'tap'
import { connect, type Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import WebSocket from 'ws'
import { listen, authenticated, issueTicket, Client } from '../helper.js'

// A real collection before each heap reading, without starting node with --expose-gc.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))
async function heapAfterGc (): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc()
    await sleep(50)
  }
  return process.memoryUsage().heapUsed
}

/** Open `count` sockets that never send a frame, `batch` at a time; resolves with every close code once all closed. */
async function idleFlood (url: string, count: number, batch: number): Promise<number[]> {
  const closes: Array<Promise<number>> = []
  for (let i = 0; i < count; i += batch) {
    const opened = Array.from({ length: Math.min(batch, count - i) }, () => {
      const socket = new WebSocket(url)
      closes.push(new Promise(resolve => { socket.once('close', code => { resolve(code) }) }))
      return new Promise(resolve => { socket.once('open', resolve) })
    })
    await Promise.all(opened)
  }
  return await Promise.all(closes)
}

t.test('floods › 2,000 sockets that never authenticate are all closed 4006 at AUTH_TIMEOUT_MS; memory returns to its baseline', async t => {
  const { app, ws } = await listen(t, { AUTH_TIMEOUT_MS: '1500', MAX_CONNECTIONS_PER_IP: '5000', MAX_UNAUTHENTICATED_SOCKETS: '5000' })
  await idleFlood(ws, 50, 50) // warm-up: code paths compiled, pools allocated
  const baseline = await heapAfterGc()
  const codes = await idleFlood(ws, 2000, 250)
  t.equal(codes.length, 2000)
  t.same([...new Set(codes)], [4006], 'every one closed AUTH_TIMEOUT')
  await sleep(100)
  t.equal(app.websocketServer.clients.size, 0, 'no socket left on the server')
  t.equal(app.liveSockets.count(), 0)
  const after = await heapAfterGc()
  const grownMiB = (after - baseline) / 2 ** 20
  t.ok(grownMiB < 8, `heap back to baseline: ${grownMiB.toFixed(1)} MiB above it after 2,000 sockets`)
  const [client] = await authenticated(app, ws)
  t.equal((await client.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'still serving')
  client.close()
})

/** A raw TCP client that starts an upgrade request and never finishes its headers. */
function slowloris (port: number, trickle: boolean): Promise<{ closed: boolean, answer: string }> {
  return new Promise(resolve => {
    const socket: Socket = connect(port, '127.0.0.1')
    let answer = ''
    let timer: NodeJS.Timeout | undefined
    socket.on('data', chunk => { answer += chunk.toString() })
    socket.on('error', () => {})
    socket.on('connect', () => {
      if (!trickle) return
      socket.write('GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n')
      // One header byte at a time: each keeps the socket busy, none completes the request.
      timer = setInterval(() => { socket.write('X') }, 100)
    })
    const giveUp = setTimeout(() => { socket.destroy(); resolve({ closed: false, answer }) }, 8000)
    socket.on('close', () => {
      clearInterval(timer)
      clearTimeout(giveUp)
      resolve({ closed: true, answer })
    })
  })
}

t.test('floods › half-open upgrade requests (slowloris) are cut off at HEADERS_TIMEOUT_MS while users are served', async t => {
  const { app, port, ws } = await listen(t, { HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000' })
  const [user] = await authenticated(app, ws)
  const attackers = Array.from({ length: 40 }, (_, i) => slowloris(port, i % 2 === 0))
  for (let i = 0; i < 5; i++) {
    t.equal((await user.request({ type: 'chat_message', content: `during ${i}` })).content, `Echo: during ${i}`)
    await sleep(100)
  }
  const results = await Promise.all(attackers)
  t.equal(results.filter(r => r.closed).length, 40, 'every half-open request was cut off (8 s bound; Node\'s default is 60 s)')
  t.ok(results.filter((r, i) => i % 2 === 0).every(r => r.answer.startsWith('HTTP/1.1 408')), 'trickling requests get 408')
  t.equal((await user.request({ type: 'chat_message', content: 'after' })).content, 'Echo: after')
  user.close()
})

t.test('floods › bursts beyond the caps get 429 CONNECTION_LIMIT or 503 UNAUTHENTICATED_LIMIT while authenticated users keep being served', async t => {
  // The auth timeout outlasts the burst's setup even on a loaded machine: no early socket frees a place mid-count.
  const { app, ws } = await listen(t, { MAX_CONNECTIONS_PER_IP: '50', MAX_UNAUTHENTICATED_SOCKETS: '100', AUTH_TIMEOUT_MS: '8000' })
  const users = await Promise.all(['u1', 'u2', 'u3'].map(async u => (await authenticated(app, ws, u))[0]))
  let served = 0
  const load = { running: true }
  const chat = (async () => {
    while (load.running) {
      const answers = await Promise.all(users.map(async (u, i) => await u.request({ type: 'chat_message', content: `m${i}` })))
      served += answers.filter((m, i) => m.content === `Echo: m${i}`).length
    }
  })()
  // Three attacking addresses: 127.0.0.0/8 is all loopback on Linux.
  const burst = ['127.0.0.2', '127.0.0.3', '127.0.0.4'].flatMap(localAddress => Array.from({ length: 80 }, () => new Client(ws, { localAddress })))
  const outcomes = await Promise.allSettled(burst.map(async c => await c.opened))
  const refusals = outcomes.map(o => o.status === 'fulfilled' ? 'open' : String(o.reason))
  t.equal(refusals.filter(r => r === 'open').length, 100, 'exactly MAX_UNAUTHENTICATED_SOCKETS admitted')
  t.equal(refusals.filter(r => /HTTP 429/.test(r)).length + refusals.filter(r => /HTTP 503/.test(r)).length, 140, 'the rest: 429 (address full) or 503 (unauthenticated cap)')
  t.ok(refusals.filter(r => /HTTP 429/.test(r)).length >= 30, 'one address alone cannot take more than its share')
  await t.rejects(new Client(ws).opened, /HTTP 503/, 'a newcomer is told to retry while the cap is full')
  load.running = false
  await chat
  t.ok(served > 0 && served % 3 === 0, `authenticated users were served throughout (${served} replies)`)
  await Promise.all(burst.filter((_, i) => outcomes[i].status === 'fulfilled').map(async c => await c.closed))
  const [late] = await Client.connect(ws)
  t.equal((await late.request({ type: 'ticket_authenticate', ticket: await issueTicket(app, 'late') })).type, 'authentication_success', 'once the flood timed out, newcomers get in')
  for (const c of [...users, late]) c.close()
})
