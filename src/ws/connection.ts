import { isUtf8 } from 'node:buffer'
import type { WebSocket, RawData } from 'ws'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { ERRORS, type WsErrorCode } from '../protocol/errors.js'
import { firstError, isoNow, serialize } from '../protocol/codec.js'
import type { AppConfig } from '../config.js'
import { randomHex } from '../crypto.js'
import type { Metrics } from '../metrics.js'
import type { Store, SessionRecord } from '../stores/types.js'
import type { createSessionRegistry } from '../../plugins/session.js'
import { authenticate } from './authenticate.js'
import { sendBounded } from './backpressure.js'
import { removeSessionEventually } from './cleanup.js'
import { legacyAuthenticate } from './legacy-auth.js'
import type { CompiledMessage, MessageContext } from './handlers.js'

export interface ConnectionDeps {
  config: Pick<AppConfig, 'authTimeoutMs' | 'messageRateLimit' | 'ticketBindIp' | 'sessionTtlSeconds' | 'maxSessionsPerUser' | 'legacyTokenAuth' | 'maxBufferedBytes'>
  store: Store
  sessions: ReturnType<typeof createSessionRegistry>
  messages: Map<string, CompiledMessage>
  log: FastifyBaseLogger
  metrics: Metrics
  /** The HTTP routes' token check, for legacy `authenticate` frames. */
  credentials: FastifyInstance['credentials']
}

const RATE_WINDOW_MS = 60_000
/** Failed ticket_authenticate attempts a connection may make; the last one closes it. */
export const MAX_AUTH_FAILURES = 3

/** One socket's protocol state: unauthenticated until a ticket is redeemed, then a session. */
export class Connection {
  readonly sessionId = `session_${randomHex(16)}`
  session: SessionRecord | undefined
  failures = 0
  readonly state: Record<string, unknown> = {}
  private windowStart = Date.now()
  private windowCount = 0
  private queue: Array<[RawData, boolean]> | undefined
  // Node keeps timers of one duration in one list: a socket's timer is a list entry, not a handle.
  // Dropped once authenticated, so an idle socket holds no timer object.
  private authTimer: NodeJS.Timeout | undefined
  private logger: FastifyBaseLogger | undefined

  constructor (readonly socket: WebSocket, readonly clientIp: string, readonly deps: ConnectionDeps) {
    this.authTimer = setTimeout(() => { this.fail('AUTH_TIMEOUT', undefined, true) }, deps.config.authTimeoutMs)
    socket.on('message', (data, isBinary) => { this.onFrame(data, isBinary) })
    socket.on('close', () => { this.onClose() })
    this.send({ type: 'connection_established', sessionId: this.sessionId, timestamp: isoNow() })
  }

  /** This connection's logger (bound to its sessionId), made on first use: idle sockets never pay for one. */
  get log (): FastifyBaseLogger {
    this.logger ??= this.deps.log.child({ sessionId: this.sessionId })
    return this.logger
  }

  private stopAuthTimer (): void {
    clearTimeout(this.authTimer)
    this.authTimer = undefined
  }

  get open (): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  send (message: Parameters<typeof serialize>[0]): void {
    if (!this.open || sendBounded(this.socket, serialize(message), this.deps.config.maxBufferedBytes)) return
    this.log.warn('slow consumer: socket terminated')
  }

  /** Report an error; close when it is fatal or the last allowed failed authentication. */
  fail (code: WsErrorCode, id?: string, fatal = false, detail?: string): undefined {
    const entry = ERRORS[code]
    this.deps.metrics.wsError(code)
    const error = detail === undefined ? entry.text : `${entry.text}: ${detail}`
    this.send({ type: entry.type, id, error, code, timestamp: isoNow() } as never)
    if (fatal || (entry.type === 'authentication_error' && code !== 'AUTH_REQUIRED' && ++this.failures >= MAX_AUTH_FAILURES)) {
      this.socket.close(entry.close, entry.text)
    }
    return undefined
  }

  authenticated (session: SessionRecord, id: string | undefined): void {
    this.stopAuthTimer()
    this.session = session
    this.deps.sessions.attach(session, this.socket)
    const { userId, entityId, entityType } = session
    this.send({ type: 'authentication_success', id, sessionId: this.sessionId, user: { userId, entityId, entityType }, timestamp: session.authenticatedAt })
  }

  private onFrame (data: RawData, isBinary: boolean): void {
    // Frames are handled one at a time: a chat message sent right behind its
    // ticket waits for the authentication instead of failing AUTH_REQUIRED.
    if (this.queue !== undefined) {
      this.queue.push([data, isBinary])
      return
    }
    const pending = this.handle(data, isBinary)
    if (pending === undefined) return
    this.queue = []
    pending.then(() => {
      const queued = this.queue as Array<[RawData, boolean]>
      this.queue = undefined
      for (const [d, b] of queued) this.onFrame(d, b)
    })
  }

  private handle (data: RawData, isBinary: boolean): Promise<void> | undefined {
    if (!this.withinRate()) return this.fail('MESSAGE_RATE_LIMITED')
    const message = isBinary ? undefined : parse(data)
    if (message === undefined) return this.fail('INVALID_JSON')
    const id = typeof message.id === 'string' && message.id.length <= 64 ? message.id : undefined
    const compiled = typeof message.type === 'string' ? this.deps.messages.get(message.type) : undefined
    const authenticator = message.type === 'ticket_authenticate'
      ? authenticate
      : message.type === 'authenticate' && this.deps.config.legacyTokenAuth ? legacyAuthenticate : undefined
    // Labelled by known types only: a client cannot mint metric series.
    this.deps.metrics.message(compiled !== undefined || authenticator !== undefined ? message.type as string : 'other')
    if (authenticator !== undefined) {
      if (this.session !== undefined) return this.fail('ALREADY_AUTHENTICATED', id)
      return authenticator(this, message, id)
    }
    if (this.session === undefined) return this.fail('AUTH_REQUIRED', id)
    if (compiled === undefined) return this.fail('UNKNOWN_MESSAGE_TYPE', id)
    if (!compiled.check.Check(message)) return this.fail('INVALID_MESSAGE', id, false, firstError(compiled.check, message))
    if (compiled.answer !== undefined) {
      this.send(compiled.answer(message as never, id))
      return undefined
    }
    return this.dispatch(compiled, message, id)
  }

  private dispatch (compiled: CompiledMessage, message: unknown, id: string | undefined): Promise<void> | undefined {
    const ctx: MessageContext = {
      session: this.session as SessionRecord,
      state: this.state,
      log: this.log,
      reply: (reply) => {
        // Copied, then stamped: `{ ...reply, id, timestamp }` costs microseconds per message in V8 (profiled).
        const out: Record<string, unknown> = Object.assign({}, reply)
        out.id = id
        out.timestamp = isoNow()
        this.send(out as never)
      }
    }
    try {
      const result = compiled.handler(message as never, ctx)
      return result instanceof Promise ? result.catch((err: unknown) => { this.handlerFailed(err, id) }) : undefined
    } catch (err) {
      this.handlerFailed(err, id)
    }
  }

  private handlerFailed (err: unknown, id: string | undefined): void {
    this.log.error({ err }, 'message handler failed')
    this.fail('MESSAGE_ERROR', id)
  }

  private withinRate (): boolean {
    const now = Date.now()
    if (now - this.windowStart >= RATE_WINDOW_MS) {
      this.windowStart = now
      this.windowCount = 0
    }
    return ++this.windowCount <= this.deps.config.messageRateLimit
  }

  private onClose (): void {
    this.stopAuthTimer()
    const session = this.session
    if (session === undefined) return
    this.deps.sessions.detach(session)
    // Its lines carry the sessionId already: a closing socket makes no child logger.
    removeSessionEventually(this.deps.store, session.sessionId, this.deps.log)
  }
}

/** A frame's JSON object, or undefined when it is not one (invalid UTF-8 included). */
function parse (data: RawData): Record<string, unknown> | undefined {
  if (!isUtf8(data as Buffer)) return undefined
  try {
    const value: unknown = JSON.parse(data.toString())
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}
