import { createMachine as createPageMachine } from '../demo/page-kit.js'

/**
 * The operator console's state machine: one state drives what is shown and
 * enabled. `checking` is a key being tried, `refused` a key the server
 * answered 401 to (forgotten at once), `unreachable` a server that did not
 * answer (or failed) while the key was good: the console keeps polling and
 * returns to `ready` by itself.
 */
export type ConsoleState = 'locked' | 'checking' | 'ready' | 'refused' | 'unreachable'

const NEXT: Record<ConsoleState, readonly ConsoleState[]> = {
  locked: ['checking'],
  checking: ['ready', 'refused', 'unreachable', 'locked'],
  ready: ['unreachable', 'refused', 'locked'],
  refused: ['checking'],
  unreachable: ['ready', 'refused', 'locked']
}

/** What each state shows (`keyForm`, `workspace`) and lets the operator do (`typeKey`, `act`). */
export const VIEW: Record<ConsoleState, { keyForm: boolean, typeKey: boolean, workspace: boolean, act: boolean }> = {
  locked: { keyForm: true, typeKey: true, workspace: false, act: false },
  checking: { keyForm: true, typeKey: false, workspace: false, act: false },
  ready: { keyForm: false, typeKey: false, workspace: true, act: true },
  refused: { keyForm: true, typeKey: true, workspace: false, act: false },
  unreachable: { keyForm: false, typeKey: false, workspace: true, act: false }
}

/** The page's state, starting 'locked'; `to` refuses a transition the table above does not have. */
export const createMachine = (onChange: (state: ConsoleState, previous: ConsoleState) => void) => createPageMachine<ConsoleState>('locked', NEXT, onChange)
