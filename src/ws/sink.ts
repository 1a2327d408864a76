import type { RawData } from 'ws'
import type { Session, SessionOpener } from './session.js'

/** Where an authenticated session's frames go, once the Connection has checked rate, JSON and authentication. */
export interface Sink extends SessionOpener {
  /** Whether frames of this type are the sink's: labels the message metric, so a client cannot mint series. */
  knows: (type: string) => boolean
  /** A returned promise holds the connection's next frames until it settles; `frame` is the frame's bytes as received. */
  deliver: (session: Session, message: Record<string, unknown>, id: string | undefined, frame: RawData) => Promise<void> | undefined
  /** The client was told it is authenticated: the session's traffic may flow. */
  start?: (session: Session) => void
}
