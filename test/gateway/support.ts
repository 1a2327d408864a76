import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer, type ServerOptions } from 'ws'
import { issueTicket, listen, type App, type Message, type Tap } from '../helper.js'

export const UPSTREAM_SECRET = 'gateway-test-secret-0123456789abcdef'

export interface Frame { text: string, isBinary: boolean }

/** Either end of a socket, keeping every frame as received (text and wire type), in order. */
export class Peer {
  private readonly inbox: Frame[] = []
  private waiters: Array<(f: Frame) => void> = []
  readonly closed: Promise<{ code: number, reason: string }>
  count = 0

  constructor (readonly socket: WebSocket, readonly request?: IncomingMessage) {
    socket.on('message', (data, isBinary) => {
      this.count++
      const frame = { text: String(data), isBinary }
      const waiter = this.waiters.shift()
      if (waiter !== undefined) waiter(frame)
      else this.inbox.push(frame)
    })
    this.closed = new Promise(resolve => {
      socket.once('close', (code, reason) => { resolve({ code, reason: reason.toString() }) })
    })
    socket.on('error', () => {})
  }

  async next (timeoutMs = 5000): Promise<Frame> {
    const queued = this.inbox.shift()
    if (queued !== undefined) return queued
    return await new Promise((resolve, reject) => {
      const waiter = (f: Frame): void => { clearTimeout(timer); resolve(f) }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w !== waiter)
        reject(new Error('no frame within timeout'))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  async json (timeoutMs?: number): Promise<Message> {
    return JSON.parse((await this.next(timeoutMs)).text)
  }

  send (message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message))
  }
}

/** A chat server for the gateway to relay to: a `ws` server on a free port, every accepted socket queued. */
export async function startUpstream (t: Tap, options: ServerOptions = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options })
  await once(wss, 'listening')
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
  const accepted: Peer[] = []
  const waiting: Array<(p: Peer) => void> = []
  wss.on('connection', (socket, request) => {
    const peer = new Peer(socket, request)
    accepted.push(peer)
    waiting.shift()?.(peer)
  })
  t.teardown(async () => {
    for (const client of wss.clients) client.terminate()
    await new Promise(resolve => wss.close(resolve))
  })
  let taken = 0
  return {
    url,
    wss,
    accepted,
    /** The next upstream connection the gateway opens. */
    next: async (): Promise<Peer> => {
      const index = taken++
      if (accepted[index] !== undefined) return accepted[index]
      return await new Promise(resolve => waiting.push(resolve))
    }
  }
}
export type Upstream = Awaited<ReturnType<typeof startUpstream>>

/** The service in gateway mode in front of `upstreamUrl`, listening on a loopback port. */
export async function startGateway (t: Tap, upstreamUrl: string, env: Record<string, string> = {}) {
  return await listen(t, { UPSTREAM_URL: upstreamUrl, UPSTREAM_SECRET, ...env })
}

/** A raw client of /ws, open, its `connection_established` read. */
export async function connectClient (url: string, options: WebSocket.ClientOptions = {}): Promise<Peer> {
  const client = new Peer(new WebSocket(url, options))
  await once(client.socket, 'open')
  await client.json()
  return client
}

/** Present a fresh ticket; the answer (success or failure) and the client. */
export async function signIn (app: App, url: string, userId = 'alice', options?: WebSocket.ClientOptions): Promise<[Peer, Message]> {
  const ticket = await issueTicket(app, userId)
  const client = await connectClient(url, options)
  client.send({ type: 'ticket_authenticate', ticket, id: 'auth' })
  return [client, await client.json()]
}

/** An authenticated client and the upstream connection opened for it. */
export async function through (app: App, url: string, upstream: Upstream, userId = 'alice'): Promise<[Peer, Peer, Message]> {
  const upstreamPeer = upstream.next()
  const [client, answer] = await signIn(app, url, userId)
  if (answer.type !== 'authentication_success') throw new Error(`authentication failed: ${JSON.stringify(answer)}`)
  return [client, await upstreamPeer, answer]
}
