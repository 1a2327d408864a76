import type { Session } from './session.js'

/**
 * Where a session's frames go once it is authenticated: the local message
 * handlers today, an upstream relay next. The Connection has already checked
 * rate, JSON and authentication; the sink owns everything after.
 */
export interface Sink {
  /** Whether frames of this type are the sink's: labels the message metric, so a client cannot mint series. */
  knows: (type: string) => boolean
  /** Take one frame; a returned promise holds the connection's next frames until it settles. */
  deliver: (session: Session, message: Record<string, unknown>, id: string | undefined) => Promise<void> | undefined
}
