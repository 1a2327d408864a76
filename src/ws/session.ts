import type { WebSocket } from 'ws'
import type { FastifyBaseLogger } from 'fastify'
import type { AppConfig } from '../config.js'
import { isoNow } from '../protocol/clock.js'
import type { WsErrorCode } from '../protocol/errors.js'
import type { ServerMessage } from '../protocol/messages.js'
import type { SessionRecord, Store } from '../stores/types.js'
import { removeSessionEventually, type RemovalOptions } from './cleanup.js'
import { refuse, type Identity, type Refusal } from './identity.js'
import type { LiveSockets } from './live-sockets.js'

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
  send: (message: ServerMessage | { type: string }) => void
  error: (code: WsErrorCode, id?: string, detail?: string) => undefined
}

export interface SessionDeps {
  config: Pick<AppConfig, 'sessionTtlSeconds' | 'maxSessionsPerUser'>
  store: Store
  liveSockets: LiveSockets
  sink: SessionOpener
  log: FastifyBaseLogger
}

/** One connection's authenticated state: the record, handler state, and its lifetime until the connection ends. */
export class Session {
  readonly state: Record<string, unknown> = {}

  private constructor (readonly record: SessionRecord, private readonly peer: Peer, private readonly deps: SessionDeps) {}

  /** A failed write may have landed with its reply lost: removed unless `wanted()` (a later attempt succeeded). */
  static async open (deps: SessionDeps, peer: Peer, sessionId: string, identity: Identity, wanted: () => boolean): Promise<Session | Refusal> {
    const record = { sessionId, ...identity, authenticatedAt: isoNow() }
    let created: boolean
    try {
      created = await deps.store.createSession(record, deps.config.sessionTtlSeconds, deps.config.maxSessionsPerUser)
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

  discard (): void {
    removeRecord(this.deps, this.record.sessionId, this.peer.log)
  }

  end (): void {
    this.deps.liveSockets.detach(this.record)
    // The shared logger: a closing socket should not make a child logger.
    removeRecord(this.deps, this.record.sessionId, this.deps.log)
  }
}

function removeRecord (deps: SessionDeps, sessionId: string, log: FastifyBaseLogger, opts?: RemovalOptions): void {
  void removeSessionEventually(deps.store, sessionId, log, opts)
    .then(outcome => { deps.liveSockets.events.emit('removal', sessionId, outcome) })
}
