import type { WebSocket, RawData } from 'ws'
import type { FastifyBaseLogger } from 'fastify'
import type { AppConfig } from '../config.js'
import { randomHex } from '../crypto.js'
import type { Metrics } from '../metrics.js'
import { isoNow } from '../protocol/clock.js'
import { ERRORS, type WsErrorCode } from '../protocol/errors.js'
import { serialize } from '../protocol/serializers.js'
import { sendBounded } from './backpressure.js'
import { frameId, parseFrame } from './frame.js'
import { authContext, reportAuthentication } from './authenticators.js'
import { refuse, type AuthContext, type AuthEntry, type Credentials, type Identity, type Refusal, type SessionOpening } from './identity.js'
import { Session, type Peer, type SessionDeps } from './session.js'
import type { Sink } from './sink.js'

/** Frames held behind a pending one before the socket stops being read. */
const QUEUE_PAUSE_BYTES = 64 * 1024

export interface ConnectionDeps extends SessionDeps {
  config: SessionDeps['config'] & AuthContext['config'] & Pick<AppConfig, 'authTimeoutMs' | 'messageRateLimit' | 'maxBufferedBytes'>
  authenticators: ReadonlyMap<string, AuthEntry>
  sink: Sink
  metrics: Metrics
  credentials: Credentials
}

const RATE_WINDOW_MS = 60_000
/** Failed ticket_authenticate attempts a connection may make; the last one closes it. */
export const MAX_AUTH_FAILURES = 3

/** A socket carrying its Connection (a ServerSocket when the plugin made it: the slot is in its shape). */
type Owned = WebSocket & { owner: Connection }

/** One socket's protocol up to an open Session: frame order, rate, errors and close codes, authentication. */
export class Connection implements Peer {
  readonly sessionId = `session_${randomHex(16)}`
  private session: Session | undefined
  private failures = 0
  private windowStart = Date.now()
  private windowCount = 0
  private queue: Array<[RawData, boolean]> | undefined
  private queuedBytes = 0
  private readingPaused = false
  // Dropped once authenticated, so an idle socket holds no timer object.
  private authTimer: NodeJS.Timeout | undefined
  private logger: FastifyBaseLogger | undefined

  constructor (readonly socket: WebSocket, readonly clientIp: string, private readonly deps: ConnectionDeps) {
    this.authTimer = setTimeout(() => { this.fail('AUTH_TIMEOUT', undefined, true) }, deps.config.authTimeoutMs)
    // Shared listeners that find the Connection on the socket: no closure per socket.
    ;(socket as Owned).owner = this
    socket.on('message', Connection.onMessage)
    socket.on('close', Connection.onSocketClose)
    this.send({ type: 'connection_established', sessionId: this.sessionId, timestamp: isoNow() })
  }

  private static onMessage (this: WebSocket, data: RawData, isBinary: boolean): void { (this as Owned).owner.onFrame(data, isBinary) }
  private static onSocketClose (this: WebSocket): void { (this as Owned).owner.onClose() }

  /** Made on first use: idle sockets never pay for a child logger. */
  get log (): FastifyBaseLogger {
    this.logger ??= this.deps.log.child({ sessionId: this.sessionId })
    return this.logger
  }

  get open (): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  send (message: Parameters<typeof serialize>[0]): void {
    if (!this.open || sendBounded(this.socket, serialize(message), this.deps.config.maxBufferedBytes)) return
    this.log.warn('slow consumer: socket terminated')
  }

  error (code: WsErrorCode, id?: string, detail?: string): undefined { return this.fail(code, id, false, detail) }

  refused (code: WsErrorCode, id?: string, detail?: string): undefined { this.answer('error', code, id, detail) }
  close (code: WsErrorCode): void { this.socket.close(ERRORS[code].close, ERRORS[code].text) }

  private fail (code: WsErrorCode, id?: string, fatal = false, detail?: string): undefined {
    const entry = ERRORS[code]
    // UPSTREAM_UNAVAILABLE fails an authentication when it comes before the session exists.
    const type = this.session === undefined && 'failsAuthentication' in entry ? 'authentication_error' : entry.type
    this.answer(type, code, id, detail)
    if (fatal || 'fatal' in entry || (type === 'authentication_error' && code !== 'AUTH_REQUIRED' && ++this.failures >= MAX_AUTH_FAILURES)) this.close(code)
    return undefined
  }

  private answer (type: 'error' | 'authentication_error', code: WsErrorCode, id: string | undefined, detail: string | undefined): void {
    this.deps.metrics.wsError(code)
    const { text } = ERRORS[code]
    this.send({ type, id, error: detail === undefined ? text : `${text}: ${detail}`, code, timestamp: isoNow() } as never)
  }

  private onFrame (data: RawData, isBinary: boolean): void {
    // One at a time: a frame right behind its ticket waits for the authentication, not AUTH_REQUIRED.
    if (this.queue !== undefined) {
      this.queue.push([data, isBinary])
      // Backpressure past a small backlog: a client flooding behind its ticket fills its own and the
      // kernel's buffers, not ours. Below it reading goes on, so a client's close is still seen.
      if ((this.queuedBytes += (data as Buffer).length) > QUEUE_PAUSE_BYTES && !this.readingPaused) {
        this.readingPaused = true
        this.socket.pause()
      }
      return
    }
    const pending = this.handle(data, isBinary)
    if (pending === undefined) return
    this.queue = []
    this.queuedBytes = 0
    pending.then(() => {
      const queued = this.queue as Array<[RawData, boolean]>
      this.queue = undefined
      for (const [d, b] of queued) this.onFrame(d, b)
      // A queued frame may have started another wait: reading resumes after the last one.
      if (this.queue === undefined && this.readingPaused) {
        this.readingPaused = false
        this.socket.resume()
      }
    })
  }

  private handle (data: RawData, isBinary: boolean): Promise<void> | undefined {
    if (!this.withinRate()) return this.fail('MESSAGE_RATE_LIMITED')
    const message = parseFrame(data, isBinary)
    if (message === undefined) return this.fail('INVALID_JSON')
    const id = frameId(message)
    const type = typeof message.type === 'string' ? message.type : undefined
    const auth = type === undefined ? undefined : this.deps.authenticators.get(type)
    const refresh = type === 'session_refresh'
    this.deps.metrics.message(auth !== undefined || refresh || (type !== undefined && this.deps.sink.knows(type)) ? type as string : 'other')
    if (auth !== undefined) {
      if (this.session !== undefined) return this.fail('ALREADY_AUTHENTICATED', id)
      return this.authenticate(auth, message, id)
    }
    if (this.session === undefined) return this.fail('AUTH_REQUIRED', id)
    // The session's own: answered here whatever the sink (local handlers or an upstream), never relayed.
    if (refresh) return this.session.refresh(message, id, this.context())
    return this.deps.sink.deliver(this.session, message, id, data)
  }

  private async authenticate (auth: AuthEntry, message: Record<string, unknown>, id: string | undefined): Promise<void> {
    const started = performance.now()
    const opening = this.deps.store.opensSessions === true ? Session.opening(this.deps, this, this.sessionId, () => this.session !== undefined) : undefined
    const identity = await auth.prove(message, this.context(opening))
    const outcome = 'code' in identity ? identity : await this.openSession(identity, opening)
    reportAuthentication(this.deps, this.sessionId, auth.method, identity, outcome, started)
    if (!('code' in outcome)) return this.authenticated(outcome, id)
    if (outcome.code !== 'CLIENT_GONE') this.fail(outcome.code, id, false, outcome.detail)
  }

  private async openSession (identity: Identity, opening?: SessionOpening): Promise<Session | Refusal> {
    const session = await Session.open(this.deps, this, this.sessionId, identity, () => this.session !== undefined, opening)
    if ('code' in session || this.open) return session
    session.discard()
    return refuse('CLIENT_GONE')
  }

  private authenticated (session: Session, id: string | undefined): void {
    this.stopAuthTimer()
    this.session = session
    // Attached before the answer: a revocation that overtook it closes the socket and the success is never sent.
    session.attach(this.socket)
    const { userId, entityId, entityType, authenticatedAt, expiresAt } = session.record
    this.send({ type: 'authentication_success', id, sessionId: this.sessionId, user: { userId, entityId, entityType }, expiresAt, timestamp: authenticatedAt })
    session.start()
    this.deps.sink.start?.(session)
  }

  /** Made per attempt, not kept: what an authenticator may use. */
  private context (opening?: SessionOpening): AuthContext {
    return authContext(this.deps, this.clientIp, () => this.log, opening)
  }

  private withinRate (): boolean {
    const now = Date.now()
    if (now - this.windowStart >= RATE_WINDOW_MS) {
      this.windowStart = now
      this.windowCount = 0
    }
    return ++this.windowCount <= this.deps.config.messageRateLimit
  }

  private stopAuthTimer (): void {
    clearTimeout(this.authTimer)
    this.authTimer = undefined
  }

  private onClose (): void {
    this.stopAuthTimer()
    this.session?.end()
  }
}
