import { Agent, request } from 'node:http'
import WebSocket from 'ws'
import { SEEDS_SERVER_KEY, SOURCE_ADDRESSES, type BenchUser } from '../lib/wire.js'
import type { Flavor } from './job.js'

const agent = new Agent({ keepAlive: true, maxSockets: 64 })
let next = 0

/** POST /api/websocket/ticket over a keep-alive connection; the ticket from the answer. */
export function fetchTicket (port: number, user: BenchUser, headers = user.headers): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/websocket/ticket', headers, agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`ticket refused: ${res.statusCode} ${body}`))
        else resolve((JSON.parse(body) as { ticket: string }).ticket)
      })
    })
    req.on('error', reject)
    req.end(user.body)
  })
}

/**
 * One client's way to an authenticated socket: ticket, upgrade (from the next
 * of several loopback source addresses), `connection_established`,
 * `ticket_authenticate`, `authentication_success`. Against the bare `ws` echo
 * there is no ticket route and no greeting: upgrade, one frame, its echo.
 * The guides' code (`seeds`) serves WebSocket on a port of its own and knows
 * only its hard-coded chat-server keys.
 */
export async function connect (port: number, user: BenchUser, flavor: Flavor | 'echo', wsPort = port): Promise<WebSocket> {
  const ticket = flavor === 'echo'
    ? 'ws_ticket_' + '0'.repeat(64)
    : await fetchTicket(port, user, flavor === 'seeds' ? { ...user.headers, 'x-chat-server-key': SEEDS_SERVER_KEY } : user.headers)
  const frame = JSON.stringify({ type: 'ticket_authenticate', ticket })
  const socket = new WebSocket(`ws://127.0.0.1:${wsPort}/ws`, {
    perMessageDeflate: false, localAddress: SOURCE_ADDRESSES[next++ % SOURCE_ADDRESSES.length]
  })
  return await new Promise((resolve, reject) => {
    let seen = 0
    const onMessage = (data: WebSocket.RawData): void => {
      seen++
      if (seen === 1 && flavor !== 'echo') {
        socket.send(frame)
        return
      }
      socket.off('message', onMessage)
      const text = data.toString()
      if (flavor !== 'echo' && !text.includes('"authentication_success"')) reject(new Error(`not authenticated: ${text}`))
      else resolve(socket)
    }
    socket.on('message', onMessage)
    if (flavor === 'echo') socket.once('open', () => socket.send(frame))
    socket.once('error', reject)
    socket.once('close', (code) => reject(new Error(`closed ${code} before authentication`)))
  })
}

/** Close a socket and wait for the closing handshake to finish. */
export function closeSocket (socket: WebSocket): Promise<void> {
  return new Promise(resolve => {
    socket.once('close', () => resolve())
    socket.close(1000)
  })
}

/** Run `task` with `concurrency` in flight until `count` have been started; rejects on the first failure. */
export async function pool (count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < count) await task(started++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}
