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

/** How a session answers its client; the Connection implements it and keeps the error rules. */
export interface Peer {
  readonly log: FastifyBaseLogger
  send: (message: ServerMessage | { type: string }) => void
  error: (code: WsErrorCode, id?: string, detail?: string) => undefined
}

export interface SessionDeps {
  config: Pick<AppConfig, 'sessionTtlSeconds' | 'maxSessionsPerUser'>
  store: Store
  liveSockets: LiveSockets
  log: FastifyBaseLogger
}

/**
 * The authenticated state of one connection: its stored record, the state
 * its handlers keep, and its place among this instance's live sockets until
 * the connection ends. What happens over a session's life belongs here.
 */
export class Session {
  /** Per-connection state that lives as long as the socket (configured tools, application data). */
  readonly state: Record<string, unknown> = {}

  private constructor (readonly record: SessionRecord, private readonly peer: Peer, private readonly deps: SessionDeps) {}

  /**
   * Store the record of a proven identity under the per-user limit. A failed
   * write may have landed with only its reply lost, so it is removed unless
   * `wanted()` says a later attempt on the same connection succeeded.
   */
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
    return created ? new Session(record, peer, deps) : refuse('SESSION_LIMIT')
  }

  get log (): FastifyBaseLogger { return this.peer.log }
  send (message: ServerMessage | { type: string }): void { this.peer.send(message) }
  error (code: WsErrorCode, id?: string, detail?: string): undefined { return this.peer.error(code, id, detail) }

  /** Join this instance's live sockets: deliveries and revocations reach the socket from now on. */
  attach (socket: WebSocket): void {
    this.deps.liveSockets.attach(this.record, socket)
  }

  /** The peer left before the session was attached: leave no record behind. */
  discard (): void {
    removeRecord(this.deps, this.record.sessionId, this.peer.log)
  }

  /** The connection closed: leave the live sockets, then the store. */
  end (): void {
    this.deps.liveSockets.detach(this.record)
    // The shared logger: the lines carry the sessionId, and a closing socket should not make a child logger.
    removeRecord(this.deps, this.record.sessionId, this.deps.log)
  }
}

function removeRecord (deps: SessionDeps, sessionId: string, log: FastifyBaseLogger, opts?: RemovalOptions): void {
  void removeSessionEventually(deps.store, sessionId, log, opts)
    .then(outcome => { deps.liveSockets.events.emit('removal', sessionId, outcome) })
}
