/** The demo page's DOM: steps, log, chat transcript and controls. Text goes in through textContent only. */
import { CONTROLS, type PageState } from './machine.js'

export type StepName = 'token' | 'ticket' | 'connect' | 'authenticate' | 'chat' | 'heartbeat' | 'replay'
type StepStatus = 'active' | 'done' | 'failed'

export const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T

export function step (name: StepName, status: StepStatus, detail = ''): void {
  const item = document.querySelector<HTMLElement>(`[data-step="${name}"]`) as HTMLElement
  item.dataset.status = status
  ;(item.querySelector('.detail') as HTMLElement).textContent = detail === '' ? '' : `(${detail})`
}

/** Forget the steps of a previous connection. */
export function resetSteps (names?: StepName[]): void {
  document.querySelectorAll<HTMLElement>('[data-step]').forEach(item => {
    if (names !== undefined && !names.includes(item.dataset.step as StepName)) return
    delete item.dataset.status
    ;(item.querySelector('.detail') as HTMLElement).textContent = ''
  })
}

/** One event, appended: the log reads top to bottom, newest last, and follows the newest. */
export function log (text: string): void {
  const list = byId('log')
  const item = document.createElement('li')
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`
  list.append(item)
  list.scrollTop = list.scrollHeight
}

export function chatLine (who: 'me' | 'server', text: string): void {
  const item = document.createElement('li')
  item.className = who
  item.textContent = `${who === 'me' ? 'you' : 'server'}: ${text}`
  byId('messages').append(item)
}

export function showSession (sessionId: string | undefined, rtt?: string): void {
  byId('session').textContent = sessionId ?? 'none'
  byId('rtt').textContent = rtt ?? 'none'
}

/** Enable exactly what the state allows, and show the state. */
export function render (state: PageState): void {
  const output = byId('state')
  output.textContent = state
  output.dataset.state = state
  const allowed = CONTROLS[state]
  byId<HTMLButtonElement>('connect').disabled = !allowed.connect
  byId<HTMLButtonElement>('disconnect').disabled = !allowed.disconnect
  for (const id of ['message', 'send']) byId<HTMLInputElement>(id).disabled = !allowed.chat
  for (const id of ['user', 'server-key', 'jwt']) byId<HTMLInputElement>(id).disabled = !allowed.credentials
}
