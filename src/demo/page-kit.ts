/** What the browser pages (the demo, the operator console) share: element lookup, the event log, the state machine. */

export const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T

/** One event, appended to `#log`: the log reads top to bottom, newest last, and follows the newest. */
export function log (text: string): void {
  const list = byId('log')
  const item = document.createElement('li')
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`
  list.append(item)
  list.scrollTop = list.scrollHeight
}

/** A page's current state; `to` refuses a transition the table does not have (a double click, a late event). */
export function createMachine<S extends string> (initial: S, next: Record<S, readonly S[]>, onChange: (state: S, previous: S) => void) {
  let state = initial
  return {
    get state () { return state },
    to (target: S): boolean {
      if (target === state || !next[state].includes(target)) return false
      const previous = state
      state = target
      onChange(target, previous)
      return true
    }
  }
}
