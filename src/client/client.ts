import type { ServerMessage } from '../protocol/messages.js'
import { DEFAULT_BACKOFF, backoffDelay, closeFailure } from './backoff.js'
import { Listeners } from './emitter.js'
import { Heartbeat } from './heartbeat.js'
import { Lifetime } from './lifetime.js'
import { PendingRequests } from './requests.js'
import { ClientError, fetchTicket } from './ticket.js'
import type {
  BackoffOptions, ClientFailure, ClientOptions, ClientState, OutgoingClientMessage, StateChange, WebSocketConstructor, WebSocketLike
} from './types.js'

type Success = Extract<ServerMessage, { type: 'authentication_success' }>
type Timer = ReturnType<typeof setTimeout>

/**
 * One logical connection to the service that survives reconnects: every
 * attempt fetches a fresh ticket (tickets are single-use), connects and
 * authenticates. Typed by the server messages `S` it receives and the client
 * messages `C` it sends (the protocol's, or an application's own unions).
 */
export class Client<S extends { type: string } = ServerMessage, C extends { type: string, id?: string } = OutgoingClientMessage> {
  sessionId: string | undefined
  user: Success['user'] | undefined
  /** Why the client stopped, once it is `failed`. */
  failure: ClientFailure | undefined
  private current: ClientState = 'idle'
  private socket: WebSocketLike | undefined
  private success: Success | undefined
  private stopped = true
  private epoch = 0
  private attempt = 0
  private goingAway = false
  private retryTimer: Timer | undefined
  private readonly heartbeat = new Heartbeat()
  private readonly lifetime = new Lifetime()
  private seq = 0
  private readonly pending = new PendingRequests()
  private readonly messages = new Listeners<any>()
  private readonly states = new Listeners<StateChange>()
  private readonly WS: WebSocketConstructor
  private readonly backoff: BackoffOptions

  constructor (private readonly options: ClientOptions) {
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
    if (WS === undefined) throw new TypeError('No global WebSocket here: pass the `WebSocket` option (in Node 20, from the "ws" package)')
    this.WS = WS
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff }
  }

  get state (): ClientState {
    return this.current
  }

  /** When the current session ends unless it is refreshed (ISO 8601); moved by every refresh. */
  get expiresAt (): string | undefined {
    return this.lifetime.expiresAt
  }

  /** Round trip of the last heartbeat, in ms. */
  get rttMs (): number | undefined {
    return this.heartbeat.rttMs
  }

  /** Start, and resolve on the next successful authentication; rejects when the client fails or is closed first. */
  connect (): Promise<Success> {
    if (this.current === 'open') return Promise.resolve(this.success as Success)
    const settled = new Promise<Success>((resolve, reject) => {
      const off = this.onState(({ state, failure }) => {
        if (state === 'open') resolve(this.success as Success)
        else if (state === 'failed' || state === 'closed') reject(new ClientError(failure ?? { code: 'CLOSED', message: 'client closed' }))
        else return
        off()
      })
    })
    if (this.stopped) {
      this.stopped = false
      this.failure = undefined
      this.attempt = 0
      void this.run(this.epoch)
    }
    return settled
  }

  /** Listen to one server message type; returns the function that stops listening. */
  on<T extends S['type']> (type: T, listener: (message: Extract<S, { type: T }>) => void): () => void {
    return this.messages.add(type, listener)
  }

  /** Listen to state changes (with the failure that caused a reconnect, its attempt and delay). */
  onState (listener: (change: StateChange) => void): () => void {
    return this.states.add('state', listener)
  }

  /** Send a message when authenticated; false (nothing sent) otherwise. */
  send (message: C): boolean {
    if (this.current !== 'open') return false
    this.socket?.send(JSON.stringify(message))
    return true
  }

  /** Send a message and resolve with the server's reply or error to it (matched by `id`). */
  request (message: C, timeoutMs = 10_000): Promise<S> {
    const id = message.id ?? `req_${++this.seq}`
    if (this.current !== 'open') return Promise.reject(new ClientError({ code: 'NOT_CONNECTED', message: `client is ${this.current}` }))
    const answer = this.pending.wait<S>(id, timeoutMs)
    this.send({ ...message, id })
    return answer
  }

  /**
   * Extend the session in-band with a fresh ticket; resolves with the new `expiresAt`, rejects
   * with the server's code (the session then keeps its old expiry). Done by itself on
   * `session_expiring` unless `autoRefresh` is false.
   */
  async refresh (): Promise<string> {
    return await this.lifetime.refresh(async () => (await fetchTicket(this.options)).ticket, async message => await this.request(message as never) as never)
  }

  /** Close for good (until the next connect()). */
  close (): void {
    this.stopped = true
    this.epoch++
    clearTimeout(this.retryTimer)
    this.detach()?.close(1000, 'client closed')
    this.setState({ state: 'closed' })
  }

  private async run (epoch: number): Promise<void> {
    this.setState({ state: 'fetching_ticket' })
    let ticket: string
    try {
      ({ ticket } = await fetchTicket(this.options))
    } catch (err) {
      if (epoch === this.epoch) this.ended(err as ClientError)
      return
    }
    if (epoch !== this.epoch) return
    this.setState({ state: 'connecting' })
    const socket = new this.WS(this.options.wsUrl)
    this.socket = socket
    this.goingAway = false
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'ticket_authenticate', ticket, clientInfo: { timestamp: new Date().toISOString() } }))
      this.setState({ state: 'authenticating' })
    })
    socket.addEventListener('message', (event: { data: unknown }) => { if (this.socket === socket) this.receive(String(event.data)) })
    socket.addEventListener('close', (event: { code: number, reason: string }) => {
      if (this.socket === socket) this.lost(closeFailure(event.code, event.reason), this.goingAway || event.code === 1001)
    })
    // Every error is followed by a close; listening keeps Node's `ws` from throwing it.
    socket.addEventListener('error', () => {})
  }

  private receive (data: string): void {
    const message = JSON.parse(data) as ServerMessage
    if (message.type === 'connection_established') this.sessionId = message.sessionId
    else if (message.type === 'authentication_success') this.authenticated(message)
    else if (message.type === 'authentication_error') this.lost({ code: message.code, message: message.error })
    else if (message.type === 'server_shutdown') this.goingAway = true
    else if (message.type === 'heartbeat_pong') this.heartbeat.pong(message.pingTime)
    else if (message.type === 'session_expiring' && this.options.autoRefresh !== false) this.lifetime.refreshSoon(() => { this.refresh().catch(() => {}) })
    this.lifetime.note(message)
    this.pending.settle(message as { id?: string })
    this.messages.emit(message.type, message)
  }

  private authenticated (message: Success): void {
    this.attempt = 0
    this.success = message
    this.user = message.user
    this.lifetime.begin(message.expiresAt)
    const every = this.options.heartbeatIntervalMs ?? 25_000
    const socket = this.socket as WebSocketLike
    this.heartbeat.start(every, frame => { socket.send(frame) }, () => {
      this.lost({ code: 'HEARTBEAT_TIMEOUT', message: `no heartbeat_pong within ${every} ms` })
    })
    this.setState({ state: 'open' })
  }

  /** Forget the current socket: no heartbeat, pending requests fail. Returns it for closing. */
  private detach (): WebSocketLike | undefined {
    const socket = this.socket
    this.socket = undefined
    this.heartbeat.stop()
    this.lifetime.stop()
    this.pending.failAll()
    return socket
  }

  private lost (failure: ClientFailure, immediately = false): void {
    this.detach()?.close()
    this.ended(failure, immediately)
  }

  /** An attempt or connection ended: stop on what retrying cannot fix, otherwise retry with a fresh ticket. */
  private ended (lost: ClientFailure, goingAway = false): void {
    const { failure, stop, immediately } = this.lifetime.judge(lost)
    if (stop) {
      this.stopped = true
      this.failure = failure
      return this.setState({ state: 'failed', failure })
    }
    const delayMs = goingAway || immediately ? 0 : backoffDelay(this.attempt++, this.backoff, failure.retryAfterMs)
    this.setState({ state: 'reconnecting', failure, attempt: this.attempt, delayMs })
    this.retryTimer = setTimeout(() => { void this.run(this.epoch) }, delayMs)
  }

  private setState (change: StateChange): void {
    this.current = change.state
    this.states.emit('state', change)
  }
}
