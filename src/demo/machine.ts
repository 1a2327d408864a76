/**
 * The demo page's state machine: one state drives every button and field.
 * `connecting` covers the JWT, the ticket, the socket and the authentication
 * (and the client's own reconnects); `closed` is a disconnect the user asked
 * for, `error` an attempt that cannot succeed as it is (wrong key, bad JWT).
 * A later state (a session about to expire, say) is one more row in each table.
 */
export type PageState = 'idle' | 'connecting' | 'open' | 'closed' | 'error'

const NEXT: Record<PageState, readonly PageState[]> = {
  idle: ['connecting'],
  connecting: ['open', 'closed', 'error'],
  open: ['connecting', 'closed', 'error'],
  closed: ['connecting'],
  error: ['connecting']
}

/** What each state lets the user do. */
export const CONTROLS: Record<PageState, { connect: boolean, disconnect: boolean, chat: boolean, credentials: boolean }> = {
  idle: { connect: true, disconnect: false, chat: false, credentials: true },
  connecting: { connect: false, disconnect: true, chat: false, credentials: false },
  open: { connect: false, disconnect: true, chat: true, credentials: false },
  closed: { connect: true, disconnect: false, chat: false, credentials: true },
  error: { connect: true, disconnect: false, chat: false, credentials: true }
}

/** The page's current state; `to` refuses a transition the table does not have (a double click, a late event). */
export function createMachine (onChange: (state: PageState, previous: PageState) => void) {
  let state: PageState = 'idle'
  return {
    get state () { return state },
    to (next: PageState): boolean {
      if (next === state || !NEXT[state].includes(next)) return false
      const previous = state
      state = next
      onChange(next, previous)
      return true
    }
  }
}
