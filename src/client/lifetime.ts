import type { ServerMessage } from '../protocol/messages.js'
import { FATAL_CODES } from './backoff.js'
import { ClientError } from './ticket.js'
import type { ClientFailure } from './types.js'

/** Least wait between two automatic refreshes: a session shorter than the notice must not refresh in a loop. */
export const MIN_REFRESH_INTERVAL_MS = 10_000

/** What a lost connection means for the client: stop (`failed`), or reconnect, at once or after a backoff. */
export interface Verdict { failure: ClientFailure, stop: boolean, immediately: boolean }

/**
 * One session's lifetime as the client sees it: its expiry, the in-band
 * refresh, and what a revocation or an expiry means for reconnecting.
 */
export class Lifetime {
  /** When the session ends unless refreshed (ISO 8601), from the server. */
  expiresAt: string | undefined
  /** Why the last refresh of this session failed, if it did. */
  refreshFailure: ClientFailure | undefined
  private reconnectAsked = false
  private refreshedAt = 0
  private granted = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  /** A new session (authentication_success). */
  begin (expiresAt: string): void {
    this.expiresAt = expiresAt
    this.refreshFailure = undefined
    this.reconnectAsked = false
    this.refreshedAt = 0
  }

  /**
   * On `session_expiring`: refresh now, or, when the last refresh was recent (a session
   * shorter than the notice gets one at once after every refresh), once
   * min(MIN_REFRESH_INTERVAL_MS, half of what that refresh granted) has passed.
   */
  refreshSoon (run: () => void): void {
    clearTimeout(this.timer)
    const wait = this.refreshedAt + Math.min(MIN_REFRESH_INTERVAL_MS, this.granted / 2) - Date.now()
    if (wait <= 0) return run()
    this.timer = setTimeout(run, wait)
  }

  /** The connection is gone: no refresh is due any more. */
  stop (): void {
    clearTimeout(this.timer)
  }

  /** Every server message passes here, as it arrives: a notice right behind a refresh already sees it. */
  note (message: ServerMessage): void {
    if (message.type === 'session_refreshed') {
      this.refreshedAt = Date.now()
      this.granted = Date.parse(message.expiresAt) - this.refreshedAt
    }
    if (message.type === 'session_refreshed' || message.type === 'session_expiring') this.expiresAt = message.expiresAt
    else if (message.type === 'session_revoked') this.reconnectAsked = message.reconnect
  }

  /** A fresh ticket (a fresh JWT from getToken, so a renewed login extends the session) through `session_refresh`. */
  async refresh (ticket: () => Promise<string>, request: (message: { type: 'session_refresh', ticket: string }) => Promise<ServerMessage>): Promise<string> {
    try {
      const answer = await request({ type: 'session_refresh', ticket: await ticket() })
      if (answer.type === 'session_refreshed') {
        this.refreshFailure = undefined
        return answer.expiresAt
      }
      // Anything else answering the request's id is its `error`.
      const { code, error } = answer as { code: string, error: string }
      throw new ClientError({ code, message: error })
    } catch (err) {
      const { code, message } = err as ClientError
      this.refreshFailure = { code, message }
      throw err
    }
  }

  /**
   * Revoked with `reconnect: true`: reconnect at once. Expired after a failed refresh: stop, a new
   * connection would fail alike. Expired without one (no refresh tried): a fresh ticket may do.
   */
  judge (failure: ClientFailure): Verdict {
    if (failure.code === 'SESSION_REVOKED' && this.reconnectAsked) return { failure, stop: false, immediately: true }
    if (failure.code === 'SESSION_EXPIRED' && this.refreshFailure !== undefined) {
      const { code, message } = this.refreshFailure
      return { failure: { ...failure, message: `session expired after a failed refresh (${code}: ${message})` }, stop: true, immediately: false }
    }
    return { failure, stop: FATAL_CODES.has(failure.code), immediately: false }
  }
}
