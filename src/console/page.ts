/**
 * The operator console's script (bundled by src/demo/bundle.ts): asks for a
 * backend API key, then polls this instance's counters, the searched user's
 * sessions and the watched users' presence, and revokes on request. Every
 * answer goes through one place (`answered`), which moves the state machine.
 */
import { createMachine } from './machine.js'
import { byId, log, render, renderPresence, renderSessions, renderStats, type SessionRow, type Stats } from './view.js'
import { call, describe, forgetKey, keepKey, storedKey, userPath, type Answer } from './api.js'

const REFRESH_MS = 2000
let problem = ''
const machine = createMachine((state, previous) => { render(state, problem); log(`state ${previous} → ${state}`) })
let searchedUser: string | undefined
let watched: string[] = []
let refreshing = false

/** True for a usable answer; a 401 or no answer moves the machine and is logged once. */
function answered (answer: Answer, what: string): boolean {
  problem = describe(answer)
  if (answer.status === 401) {
    forgetKey()
    if (machine.to('refused')) log(`${what}: ${problem}; the key is forgotten`)
    return false
  }
  if (answer.status === 0 || answer.status >= 500) {
    if (machine.to('unreachable')) log(`${what}: ${problem}`)
    return false
  }
  if (answer.status >= 400) {
    log(`${what}: ${problem}`)
    return false
  }
  machine.to('ready')
  return true
}

async function loadSessions (): Promise<void> {
  if (searchedUser === undefined) return
  const userId = searchedUser
  const answer = await call<{ sessions: SessionRow[] }>('GET', userPath(userId))
  if (answered(answer, `sessions of ${userId}`) && userId === searchedUser) renderSessions(userId, answer.body.sessions, machine.state === 'ready')
}

async function loadPresence (): Promise<void> {
  if (watched.length === 0) return
  const query = watched.map(id => `userId=${encodeURIComponent(id)}`).join('&')
  const answer = await call<{ online: Record<string, number> }>('GET', `/api/websocket/presence?${query}`)
  if (answered(answer, 'presence')) renderPresence(answer.body.online)
}

/** One round: the counters first (they also prove the key), then what the operator asked to see. */
async function refresh (): Promise<void> {
  if (refreshing || storedKey() === null) return
  refreshing = true
  try {
    const stats = await call<Stats>('GET', '/api/websocket/stats')
    if (!answered(stats, 'counters')) return
    renderStats(stats.body)
    await loadSessions()
    await loadPresence()
  } finally {
    refreshing = false
  }
}

async function revoke (path: string, what: string): Promise<void> {
  const reconnect = byId<HTMLInputElement>('reconnect').checked
  const answer = await call<{ revoked?: number }>('DELETE', path, { reconnect })
  const count = answer.body.revoked === undefined ? '' : `: ${answer.body.revoked} session(s)`
  if (answered(answer, `revoke ${what}`)) log(`revoked ${what}${count}, reconnect ${String(reconnect)}`)
  await refresh()
}

byId('key-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const input = byId<HTMLInputElement>('key')
  keepKey(input.value.trim())
  input.value = ''
  if (machine.to('checking')) void refresh()
})

byId('forget').addEventListener('click', () => {
  forgetKey()
  if (machine.to('locked')) log('key forgotten')
})

byId('search').addEventListener('submit', (event) => {
  event.preventDefault()
  searchedUser = byId<HTMLInputElement>('user-id').value.trim()
  log(`search sessions of ${searchedUser}`)
  void loadSessions()
})

byId('presence-form').addEventListener('submit', (event) => {
  event.preventDefault()
  watched = [...new Set(byId<HTMLInputElement>('presence-ids').value.split(/[\s,]+/).filter(id => id !== ''))].slice(0, 100)
  log(`watch presence of ${watched.join(', ')}`)
  void loadPresence()
})

byId('sessions').addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.revoke')
  const sessionId = button?.dataset.sessionId
  if (button === null || sessionId === undefined || searchedUser === undefined) return
  button.disabled = true
  void revoke(`${userPath(searchedUser)}/${encodeURIComponent(sessionId)}`, `session ${sessionId} of ${searchedUser}`)
})

byId('revoke-all').addEventListener('click', () => {
  if (searchedUser !== undefined) void revoke(userPath(searchedUser), `every session of ${searchedUser}`)
})

render(machine.state)
// A key kept by this tab (a reload) is tried at once.
if (storedKey() !== null && machine.to('checking')) void refresh()
setInterval(() => { void refresh() }, REFRESH_MS)
