import type { Session } from './session.js'

/** Where an authenticated session's frames go, once the Connection has checked rate, JSON and authentication. */
export interface Sink {
  /** Whether frames of this type are the sink's: labels the message metric, so a client cannot mint series. */
  knows: (type: string) => boolean
  /** A returned promise holds the connection's next frames until it settles. */
  deliver: (session: Session, message: Record<string, unknown>, id: string | undefined) => Promise<void> | undefined
}
