import type { AddressInfo } from 'node:net'
import WebSocket from 'ws'
import { buildApp, type AppOptions } from '../src/app.js'
import { loadConfig } from '../src/config.js'

export type Tap = { teardown: (fn: () => unknown) => void }
export type App = Awaited<ReturnType<typeof buildApp>>

/** The environment every test starts from: development defaults, quiet logs. */
export const TEST_ENV = { NODE_ENV: 'test', LOG_LEVEL: 'silent' }

/** A fresh app from §5 environment variables, ready, closed when the test ends. */
export async function build (t: Tap, env: Record<string, string> = {}, opts: Omit<AppOptions, 'config'> = {}): Promise<App> {
  const app = await buildApp({ config: loadConfig({ ...TEST_ENV, ...env }), ...opts })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** A built app listening on a free loopback port, for real sockets. */
export async function listen (t: Tap, env: Record<string, string> = {}, opts: Omit<AppOptions, 'config'> = {}) {
  const app = await build(t, env, opts)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return { app, port, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` }
}

/** A user JWT signed with the app's secret. */
export function tokenFor (app: App, userId: string, claims: Record<string, unknown> = {}): string {
  return app.jwt.sign({ userId, ...claims })
}

/** The headers a real client sends to the ticket route. */
export function authHeaders (token: string, serverKey = 'UD21'): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'x-chat-server-key': serverKey, 'content-type': 'application/json' }
}

/** Issue a ticket through the real route. */
export async function issueTicket (app: App, userId = 'alice', body: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(app, userId)), payload: { userId, ...body }
  })
  if (res.statusCode !== 200) throw new Error(`ticket refused: ${res.body}`)
  return res.json().ticket
}

export type Message = Record<string, any>

/** A real `ws` client that queues what it receives, so tests can await messages in order. */
export class Client {
  readonly socket: WebSocket
  private readonly inbox: Message[] = []
  private waiters: Array<(m: Message) => void> = []
  readonly closed: Promise<{ code: number, reason: string }>
  readonly opened: Promise<void>

  constructor (url: string, options: WebSocket.ClientOptions = {}) {
    this.socket = new WebSocket(url, options)
    this.socket.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Message
      const waiter = this.waiters.shift()
      if (waiter !== undefined) waiter(msg)
      else this.inbox.push(msg)
    })
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve())
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      this.socket.once('error', reject)
    })
    this.closed = new Promise(resolve => {
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    })
  }

  /** Connect and read the `connection_established` greeting. */
  static async connect (url: string, options?: WebSocket.ClientOptions): Promise<[Client, Message]> {
    const client = new Client(url, options)
    await client.opened
    return [client, await client.next()]
  }

  next (timeoutMs = 5000): Promise<Message> {
    const queued = this.inbox.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within timeout')), timeoutMs)
      this.waiters.push(m => { clearTimeout(timer); resolve(m) })
    })
  }

  send (message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  /** Send and read the direct answer. */
  async request (message: unknown): Promise<Message> {
    this.send(message)
    return await this.next()
  }

  close (): void {
    this.socket.close(1000)
  }
}

/** Connect and authenticate with a fresh ticket; returns the client and its success message. */
export async function authenticated (app: App, url: string, userId = 'alice'): Promise<[Client, Message]> {
  const ticket = await issueTicket(app, userId)
  const [client] = await Client.connect(url)
  const ok = await client.request({ type: 'ticket_authenticate', ticket })
  if (ok.type !== 'authentication_success') throw new Error(`authentication failed: ${JSON.stringify(ok)}`)
  return [client, ok]
}
