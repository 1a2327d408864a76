/** The operator console's DOM. Text goes in through textContent only: user ids and entities are untrusted. */
import { VIEW, type ConsoleState } from './machine.js'
import { byId } from '../demo/page-kit.js'

export { byId, log } from '../demo/page-kit.js'

export interface Stats {
  instance: { connections: number, sessions: number }
  authentications: { success: number, failure: number, byCode: Record<string, number> }
}
export interface SessionRow { sessionId: string, entityType?: string, entityId?: string, authenticatedAt: string, expiresAt?: string }

/** Show and enable exactly what the state allows. */
export function render (state: ConsoleState, problem = ''): void {
  const output = byId('state')
  output.textContent = state
  output.dataset.state = state
  const view = VIEW[state]
  byId('unlock').hidden = !view.keyForm
  byId('workspace').hidden = !view.workspace
  byId('forget').hidden = state === 'locked' || state === 'refused'
  for (const id of ['key', 'open']) byId<HTMLInputElement>(id).disabled = !view.typeKey
  document.querySelectorAll<HTMLButtonElement>('#workspace button, #workspace input').forEach(control => { control.disabled = !view.act })
  const keyError = byId('key-error')
  keyError.hidden = state !== 'refused'
  keyError.textContent = state === 'refused' ? `Key refused: ${problem}` : ''
  const banner = byId('banner')
  banner.hidden = state !== 'unreachable'
  banner.textContent = state === 'unreachable' ? `The server is not answering as it should (${problem}); retrying every 2 s. The figures below may be stale.` : ''
}

export function renderStats ({ instance, authentications }: Stats): void {
  byId('connections').textContent = String(instance.connections)
  byId('local-sessions').textContent = String(instance.sessions)
  byId('auth-success').textContent = String(authentications.success)
  byId('auth-failure').textContent = String(authentications.failure)
  const codes = Object.entries(authentications.byCode).map(([code, n]) => `${code} ${n}`)
  byId('auth-codes').textContent = codes.length === 0 ? 'none' : codes.join(', ')
  byId('updated').textContent = `updated ${new Date().toLocaleTimeString()}`
}

function cell (row: HTMLTableRowElement, label: string, text: string): HTMLTableCellElement {
  const td = row.insertCell()
  td.dataset.label = label
  td.textContent = text
  return td
}

/** The user's sessions, one row each with its own revoke button (`data-session-id`). */
export function renderSessions (userId: string, sessions: readonly SessionRow[], enabled: boolean): void {
  const body = byId<HTMLTableElement>('sessions').tBodies[0]
  body.replaceChildren()
  for (const s of sessions) {
    const row = body.insertRow()
    row.dataset.sessionId = s.sessionId
    cell(row, 'sessionId', s.sessionId).className = 'mono'
    const entity = [s.entityType, s.entityId].filter(part => part !== undefined).join(' ')
    cell(row, 'entity', entity === '' ? '—' : entity)
    cell(row, 'authenticatedAt', s.authenticatedAt)
    cell(row, 'expiresAt', s.expiresAt ?? '—')
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'danger revoke'
    button.dataset.sessionId = s.sessionId
    button.textContent = 'Revoke'
    button.disabled = !enabled
    row.insertCell().append(button)
  }
  byId('sessions').hidden = sessions.length === 0
  byId('revoke-controls').hidden = sessions.length === 0
  byId('revoke-all').textContent = `Revoke all ${sessions.length} of ${userId}`
  byId('sessions-caption').textContent = `${userId}: ${sessions.length} live session${sessions.length === 1 ? '' : 's'} on every instance`
}

export function renderPresence (online: Record<string, number>): void {
  byId('presence').replaceChildren(...Object.entries(online).map(([userId, n]) => {
    const item = document.createElement('li')
    item.dataset.user = userId
    item.className = n > 0 ? 'online' : 'offline'
    item.textContent = `${userId}: ${n > 0 ? `online (${n})` : 'offline'}`
    return item
  }))
}
