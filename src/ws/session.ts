import type { WebSocket } from 'ws'
import type { FastifyBaseLogger } from 'fastify'
import type { AppConfig } from '../config.js'
import { isoNow } from '../protocol/clock.js'
import type { WsErrorCode } from '../protocol/errors.js'
import type { ServerMessage } from '../protocol/messages.js'
import { sessionExpiry } from '../session-expiry.js'
import type { SessionDraft, SessionRecord, Store } from '../stores/types.js'
import { removeSessionEventually, type RemovalOptions } from './cleanup.js'
import type { Timed } from './deadlines.js'
import { refuse, type AuthContext, type Identity, type Refusal, type SessionOpening } from './identity.js'
import type { LiveSockets } from './live-sockets.js'
import { redeemRefreshTicket } from './ticket-auth.js'

/** The client side of a session, as a sink that holds per-session resources needs it. */
export interface SinkClient {
  readonly socket: WebSocket
  readonly clientIp: string
}

/** A sink's step in opening a session; the whole `Sink` is in sink.ts. */
export interface SessionOpener {
  /** The session's own resources (the gateway's upstream socket), awaited before the client hears of success; false refuses it. */
  open?: (session: Session, client: SinkClient) => Promise<boolean>
}

/** How a session answers its client: the Connection, which keeps the error and close rules. */
export interface Peer extends SinkClient {
  readonly log: FastifyBaseLogger
  readonly open: boolean
  send: (message: ServerMessage | { type: string }) => void
  error: (code: WsErrorCode, id?: string, detail?: string) => undefined
  /** A refused refresh: the code as an `error`, the connection stays open and no failure is counted. */
  refused: (code: WsErrorCode, id?: string, detail?: string) => undefined
  /** Close with the code's close code and text. */
  close: (code: WsErrorCode) => void
}

export interface SessionDeps {
  config: Pick<AppConfig, 'sessionTtlSeconds' | 'maxSessionsPerUser' | 'sessionLeaseSeconds' | 'sessionFollowsTokenExpiry' | 'sessionExpiryNoticeSeconds'>
  store: Store
  liveSockets: LiveSockets
  sink: SessionOpener
  log: FastifyBaseLogger
}

/** One connection's authenticated state: the record, handler state, and its lifetime until it expires or the connection ends. */
export class Session implements Timed {
  // Its place on the instance's one expiry timer (liveSockets.deadlines): no timer per socket.
  dueAt = 0
  slot = -1

  // Made on first use: most sessions never keep handler state, and an empty object is 56 bytes per idle socket.
  private handlerState: Record<string, unknown> | undefined

  private constructor (readonly record: SessionRecord, private readonly peer: Peer, private readonly deps: SessionDeps) {}

  /** Per-connection state of the message handlers, as long as the socket lives. */
  get state (): Record<string, unknown> {
    this.handlerState ??= {}
    return this.handlerState
  }

  /**
   * For a store that opens the session with the ticket's consume (one round trip): the record open()
   * will write. A consume that failed may have opened it: removed like a failed write.
   */
  static opening (deps: SessionDeps, peer: Peer, sessionId: string, wanted: () => boolean): SessionOpening {
    const authenticatedAt = isoNow()
    const { sessionTtlSeconds, sessionFollowsTokenExpiry, maxSessionsPerUser, sessionLeaseSeconds } = deps.config
    const draft: SessionDraft = {
      sessionId,
      authenticatedAt,
      expiresAtByTtl: Date.parse(authenticatedAt) + sessionTtlSeconds * 1000,
      followsTokenExpiry: sessionFollowsTokenExpiry,
      maxPerUser: maxSessionsPerUser,
      leaseMs: sessionLeaseSeconds * 1000
    }
    return { draft, lost: () => { removeRecord(deps, sessionId, peer.log, { unless: wanted }) } }
  }

  /** A failed write may have landed with its reply lost: removed unless `wanted()` (a later attempt succeeded). */
  static async open (
    deps: SessionDeps, peer: Peer, sessionId: string, identity: Identity, wanted: () => boolean, opening?: SessionOpening
  ): Promise<Session | Refusal> {
    const { tokenExpiresAt, ...who } = identity
    const authenticatedAt = opening?.draft.authenticatedAt ?? isoNow()
    const record = { sessionId, ...who, authenticatedAt, expiresAt: expiryFrom(deps, Date.parse(authenticatedAt), tokenExpiresAt) }
    let created: boolean
    try {
      created = await deps.store.createSession(record, { maxPerUser: deps.config.maxSessionsPerUser, leaseMs: deps.config.sessionLeaseSeconds * 1000 })
    } catch (err) {
      peer.log.warn({ err }, 'session store failed during authentication')
      removeRecord(deps, sessionId, peer.log, { unless: wanted })
      return refuse('AUTH_ERROR')
    }
    if (!created) return refuse('SESSION_LIMIT')
    const session = new Session(record, peer, deps)
    // Gateway mode: the upstream accepts the session before the client hears of it.
    if (deps.sink.open === undefined || await deps.sink.open(session, peer)) return session
    session.discard()
    return refuse('UPSTREAM_UNAVAILABLE')
  }

  get log (): FastifyBaseLogger { return this.peer.log }
  send (message: ServerMessage | { type: string }): void { this.peer.send(message) }
  error (code: WsErrorCode, id?: string, detail?: string): undefined { return this.peer.error(code, id, detail) }

  attach (socket: WebSocket): void {
    this.deps.liveSockets.attach(this.record, socket)
  }

  /** After `authentication_success`: the notice, then the expiry, are due on the instance's timer. */
  start (): void {
    if (this.peer.open) this.schedule()
  }

  /** The timer came: send the notice (at once when the session is shorter than it), or end the session. */
  due (): void {
    const expiresAt = Date.parse(this.record.expiresAt)
    const { events, deadlines } = this.deps.liveSockets
    if (this.dueAt < expiresAt) {
      this.send({ type: 'session_expiring', expiresAt: this.record.expiresAt, timestamp: isoNow() })
      events.emit('expiring', this.record.sessionId)
      deadlines.schedule(this, expiresAt)
      return
    }
    this.send({ type: 'session_expired', timestamp: isoNow() })
    this.peer.close('SESSION_EXPIRED')
    events.emit('expired', this.record.sessionId)
  }

  /**
   * `session_refresh`: a fresh ticket of the same user, redeemed like an authentication, moves
   * `expiresAt`. Every failure answers an `error` and leaves the connection and the old expiry alone.
   */
  async refresh (message: Record<string, unknown>, id: string | undefined, ctx: AuthContext): Promise<void> {
    const proved = await redeemRefreshTicket(message, ctx)
    // CLIENT_GONE is the Connection's, never an authenticator's.
    if ('code' in proved) return this.peer.refused(proved.code as WsErrorCode, id, proved.detail)
    // Consumed all the same: another user's ticket is spent (PROTOCOL §3).
    if (proved.userId !== this.record.userId) return this.peer.refused('TICKET_INVALID', id)
    const { sessionId } = this.record
    const expiresAt = expiryFrom(this.deps, Date.now(), proved.tokenExpiresAt)
    let updated: boolean
    try {
      updated = await this.deps.store.updateSessionExpiry(sessionId, expiresAt)
    } catch (err) {
      this.log.warn({ err }, 'session store failed during refresh')
      return this.peer.refused('AUTH_ERROR', id)
    }
    // The record is gone (revoked, or its lease lapsed): a socket nobody can list or revoke must not stay.
    if (!updated) return this.deps.liveSockets.lapsed([sessionId])
    this.record.expiresAt = expiresAt
    if (!this.peer.open) return
    this.schedule()
    this.send({ type: 'session_refreshed', id, sessionId, expiresAt, timestamp: isoNow() })
    this.deps.liveSockets.events.emit('refreshed', sessionId, expiresAt)
  }

  discard (): void {
    removeRecord(this.deps, this.record.sessionId, this.peer.log)
  }

  end (): void {
    this.deps.liveSockets.deadlines.remove(this)
    this.deps.liveSockets.detach(this.record)
    // The shared logger: a closing socket should not make a child logger.
    removeRecord(this.deps, this.record.sessionId, this.deps.log)
  }

  private schedule (): void {
    const noticeAt = Date.parse(this.record.expiresAt) - this.deps.config.sessionExpiryNoticeSeconds * 1000
    this.deps.liveSockets.deadlines.schedule(this, noticeAt)
  }
}

function expiryFrom ({ config }: SessionDeps, now: number, tokenExpiresAt: number | undefined): string {
  const { sessionTtlSeconds: ttlSeconds, sessionFollowsTokenExpiry: followsTokenExpiry } = config
  return new Date(sessionExpiry({ now, ttlSeconds, tokenExpiresAt, followsTokenExpiry })).toISOString()
}

function removeRecord (deps: SessionDeps, sessionId: string, log: FastifyBaseLogger, opts?: RemovalOptions): void {
  void removeSessionEventually(deps.store, sessionId, log, opts)
    .then(outcome => { deps.liveSockets.events.emit('removal', sessionId, outcome) })
}
