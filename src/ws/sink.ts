import type { RawData, WebSocket } from 'ws'
import type { Session } from './session.js'

/** The client side of a session, as a sink that holds per-session resources needs it. */
export interface SinkClient {
  readonly socket: WebSocket
  readonly clientIp: string
}

/** Where an authenticated session's frames go, once the Connection has checked rate, JSON and authentication. */
export interface Sink {
  /** Whether frames of this type are the sink's: labels the message metric, so a client cannot mint series. */
  knows: (type: string) => boolean
  /** A returned promise holds the connection's next frames until it settles; `frame` is the frame's bytes as received. */
  deliver: (session: Session, message: Record<string, unknown>, id: string | undefined, frame: RawData) => Promise<void> | undefined
  /** The session's own resources (the gateway's upstream socket), awaited before the client hears of success; false refuses it. */
  open?: (session: Session, client: SinkClient) => Promise<boolean>
  /** The client was told it is authenticated: the session's traffic may flow. */
  start?: (session: Session) => void
}
