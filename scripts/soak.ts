import { fork } from 'node:child_process'
import { once } from 'node:events'
import { Agent, request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { createSigner } from 'fast-jwt'
import { DEV_JWT_SECRET } from '../src/config.js'

/**
 * `npm run soak -- [--minutes 10] [--users 40] [--sample-seconds 30]`: start
 * the service in a child process, drive mixed traffic at it (issue a ticket,
 * authenticate, chat, heartbeat, disconnect; some leave abruptly), and report
 * errors, RSS and heap over time, event-loop delay p99 and the handles left.
 */
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, users: { type: 'string', default: '40' }, 'sample-seconds': { type: 'string', default: '30' } } })
const minutes = Number(values.minutes)
const users = Number(values.users)
const sampleMs = Number(values['sample-seconds']) * 1000

type Sample = Record<string, number> & { resources: string[] }
const server = fork(fileURLToPath(new URL('./soak-server.js', import.meta.url)), [], { execArgv: ['--expose-gc'], env: { ...process.env } })
// A server that dies before it is ready (its reason is on the shared stderr) ends the soak with an error, not a hang.
const [ready] = await Promise.race([
  once(server, 'message') as Promise<[{ port: number }]>,
  once(server, 'exit').then(([code]) => { throw new Error(`soak server exited ${String(code)} before it was ready`) })
])
const base = `127.0.0.1:${ready.port}`
async function sample (): Promise<Sample> {
  server.send({ type: 'sample' })
  const [msg] = await once(server, 'message') as [Sample]
  return msg
}

const sign = createSigner({ key: process.env.JWT_SECRET ?? DEV_JWT_SECRET, algorithm: 'HS256' })
const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))
const errors = new Map<string, number>()
const fail = (what: string) => { errors.set(what, (errors.get(what) ?? 0) + 1) }
let ops = 0
const run = { stopping: false }
// Keep-alive HTTP connections of the load, closed before the last sample so they do not count as the service's handles.
const agent = new Agent({ keepAlive: true })
async function post (path: string, headers: Record<string, string>, body: string): Promise<{ status: number, json: () => any }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ready.port, path, method: 'POST', headers, agent }, res => {
      let data = ''
      res.on('data', chunk => { data += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(data) }) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A socket whose answers are read in order, each within 5 s. */
function open (url: string) {
  const socket = new WebSocket(url)
  const inbox: Array<Record<string, unknown>> = []
  const waiting: Array<(m: Record<string, unknown> | undefined) => void> = []
  socket.on('message', data => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>
    const w = waiting.shift()
    if (w === undefined) inbox.push(m)
    else w(m)
  })
  socket.on('error', () => { fail('socket error') })
  const next = async () => inbox.shift() ?? await new Promise<Record<string, unknown> | undefined>(resolve => {
    const timer = setTimeout(() => { resolve(undefined) }, 5000)
    waiting.push(m => { clearTimeout(timer); resolve(m) })
  })
  return { socket, next, request: async (m: unknown) => { socket.send(JSON.stringify(m)); return await next() } }
}

async function virtualUser (id: number): Promise<void> {
  const userId = `soak-${id}`
  const headers = { authorization: `Bearer ${sign({ userId })}`, 'x-chat-server-key': 'UD21', 'content-type': 'application/json' }
  while (!run.stopping) {
    const res = await post('/api/websocket/ticket', headers, JSON.stringify({ userId }))
    ops++
    if (res.status !== 200) { fail(`issue ${res.status}`); await sleep(1000); continue }
    const { ticket } = res.json() as { ticket: string }
    const c = open(`ws://${base}/ws`)
    if ((await c.next())?.type !== 'connection_established') { fail('no greeting'); c.socket.terminate(); continue }
    if ((await c.request({ type: 'ticket_authenticate', ticket }))?.type !== 'authentication_success') fail('authenticate')
    ops++
    for (let i = 0, n = 2 + Math.floor(Math.random() * 8); i < n && !run.stopping; i++) {
      await sleep(100 + Math.random() * 400)
      const chat = Math.random() < 0.7
      const answer = await c.request(chat ? { type: 'chat_message', content: `m${i}`, id: `${i}` } : { type: 'heartbeat_ping', pingTime: i })
      if (answer?.type !== (chat ? 'chat_response' : 'heartbeat_pong')) fail(chat ? 'chat' : 'heartbeat')
      ops++
    }
    // One in five leaves without a closing handshake, as a dropped network does.
    if (Math.random() < 0.2) c.socket.terminate()
    else c.socket.close(1000)
    await once(c.socket, 'close')
  }
}

const start = await sample()
const rows: string[] = ['| minute | ops | RSS MiB | heap MiB (after gc) | event-loop delay p99 ms | max ms | handles | sockets | stored tickets |', '|---|---|---|---|---|---|---|---|---|']
const load = Array.from({ length: users }, async (_, i) => { await sleep(i * 50); await virtualUser(i) })
const began = Date.now()
while (minutes * 60_000 - (Date.now() - began) > 1000) {
  await sleep(Math.min(sampleMs, minutes * 60_000 - (Date.now() - began)))
  const s = await sample()
  rows.push(`| ${((Date.now() - began) / 60_000).toFixed(2)} | ${ops} | ${s.rssMiB} | ${s.heapMiB} | ${s.eldP99Ms} | ${s.eldMaxMs} | ${s.handles} | ${s.sockets} | ${s.storedTickets} |`)
  process.stderr.write(`${rows.at(-1) as string}\n`)
}
run.stopping = true
await Promise.all(load)
agent.destroy()
await sleep(2000)
const end = await sample()
server.send({ type: 'stop' })
await once(server, 'exit')

const count = (list: string[]) => list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }), {})
process.stdout.write([
  `Soak: ${minutes} min, ${users} virtual users, ${ops} operations, Node ${process.version}`,
  '', ...rows, '',
  `Errors: ${errors.size === 0 ? 'none' : JSON.stringify(Object.fromEntries(errors))}`,
  `RSS: ${start.rssMiB} MiB at start (idle), ${end.rssMiB} MiB at the end (idle, after gc); heap ${start.heapMiB} → ${end.heapMiB} MiB`,
  `Event-loop delay p99 over the whole run: ${end.eldOverallP99Ms} ms`,
  `Active handles: ${start.handles} at start, ${end.handles} at the end; sockets left ${end.sockets}, sessions left ${end.sessions}`,
  `Resources at start ${JSON.stringify(count(start.resources))}, at the end ${JSON.stringify(count(end.resources))}`,
  ''
].join('\n'))
