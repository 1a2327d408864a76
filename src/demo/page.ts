/**
 * The demo page's script (bundled for the browser by src/demo/bundle.ts):
 * drives the client SDK and shows each step of the flow. Text goes into the
 * page through textContent only.
 */
import { createClient, fetchTicket, type Client } from '../client/index.js'

type StepStatus = 'active' | 'done' | 'failed'

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
const ticketUrl = `${location.origin}/api/websocket/ticket`
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
let client: Client | undefined

function step (name: string, status: StepStatus, detail = ''): void {
  const item = document.querySelector<HTMLElement>(`[data-step="${name}"]`) as HTMLElement
  item.dataset.status = status
  ;(item.querySelector('.detail') as HTMLElement).textContent = detail === '' ? '' : `(${detail})`
}

function log (text: string): void {
  const item = document.createElement('li')
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`
  byId('log').prepend(item)
}

function chatLine (who: 'me' | 'server', text: string): void {
  const item = document.createElement('li')
  item.className = who
  item.textContent = `${who === 'me' ? 'you' : 'server'}: ${text}`
  byId('messages').append(item)
}

function setConnected (open: boolean): void {
  for (const id of ['message', 'send']) byId<HTMLInputElement>(id).disabled = !open
}

/** A JWT from the development-only route, unless the user pasted one. */
async function userToken (userId: string): Promise<{ token: string, serverKey: string } | undefined> {
  const pasted = byId<HTMLTextAreaElement>('jwt').value.trim()
  const serverKey = byId<HTMLInputElement>('server-key').value.trim()
  if (pasted !== '') {
    step('token', 'done', 'your own JWT')
    return { token: pasted, serverKey }
  }
  step('token', 'active')
  const res = await fetch('/demo/token', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId })
  })
  if (!res.ok) {
    step('token', 'failed', `HTTP ${res.status}: paste a JWT instead`)
    return undefined
  }
  const body = await res.json() as { token: string, serverKey: string, expiresIn: number }
  byId<HTMLInputElement>('server-key').value = serverKey === '' ? body.serverKey : serverKey
  step('token', 'done', `minted by POST /demo/token, valid ${body.expiresIn} s, development only`)
  return { token: body.token, serverKey: serverKey === '' ? body.serverKey : serverKey }
}

/** Present one ticket on two sockets: the first is let in, the second is refused. */
async function showReplay (token: string, serverKey: string, userId: string): Promise<void> {
  step('replay', 'active')
  const { ticket } = await fetchTicket({ ticketUrl, getToken: () => token, serverKey, user: userId })
  const first = await presentTicket(ticket)
  const second = await presentTicket(ticket)
  const refused = second.type === 'authentication_error' && second.code === 'TICKET_USED'
  step('replay', refused ? 'done' : 'failed', `first use: ${first.type}; again: ${second.type} ${second.code ?? ''}`)
  log(`replayed ticket answered ${second.type} ${second.code ?? ''}`)
}

function presentTicket (ticket: string): Promise<{ type: string, code?: string }> {
  return new Promise(resolve => {
    const socket = new WebSocket(wsUrl)
    socket.onopen = () => { socket.send(JSON.stringify({ type: 'ticket_authenticate', ticket })) }
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as { type: string, code?: string }
      if (message.type === 'connection_established') return
      resolve(message)
      socket.close()
    }
    socket.onclose = () => { resolve({ type: 'closed' }) }
  })
}

function watch (c: Client, credentials: { token: string, serverKey: string }, userId: string): void {
  let replayShown = false
  c.onState(({ state, failure, delayMs }) => {
    const output = byId('state')
    output.textContent = state
    output.dataset.state = state
    setConnected(state === 'open')
    if (state === 'fetching_ticket') step('ticket', 'active')
    if (state === 'connecting') step('ticket', 'done', 'single-use, fetched for this connection')
    if (state === 'authenticating') step('authenticate', 'active')
    if (failure !== undefined) log(`${failure.code}: ${failure.message}`)
    if (state === 'reconnecting') log(`reconnecting in ${delayMs ?? 0} ms with a fresh ticket`)
    if (state === 'failed') step('authenticate', 'failed', failure?.code)
  })
  c.on('connection_established', (m) => { step('connect', 'done', `announced ${m.sessionId}`) })
  c.on('authentication_success', (m) => {
    byId('session').textContent = m.sessionId
    step('authenticate', 'done', `as ${m.user.userId}`)
    log(`authenticated as ${m.user.userId}, session ${m.sessionId}`)
    void c.request({ type: 'heartbeat_ping', pingTime: Date.now() }).catch(() => undefined)
    if (!replayShown) {
      replayShown = true
      void showReplay(credentials.token, credentials.serverKey, userId).catch((err: unknown) => { step('replay', 'failed', String(err)) })
    }
  })
  c.on('chat_response', (m) => {
    chatLine('server', m.content)
    step('chat', 'done', m.content)
  })
  c.on('heartbeat_pong', (m) => {
    const rtt = typeof m.pingTime === 'number' ? Date.now() - m.pingTime : undefined
    byId('rtt').textContent = rtt === undefined ? 'none' : `${rtt} ms`
    step('heartbeat', 'done', rtt === undefined ? 'pong' : `${rtt} ms round trip`)
  })
  c.on('server_shutdown', () => { log('server_shutdown: the server is going away, reconnecting at once') })
  c.on('error', (m) => { log(`error ${m.code}: ${m.error}`) })
  c.on('authentication_error', (m) => { log(`authentication_error ${m.code}: ${m.error}`) })
}

byId('login').addEventListener('submit', (event) => {
  event.preventDefault()
  client?.close()
  document.querySelectorAll<HTMLElement>('[data-step]').forEach(item => { delete item.dataset.status })
  const userId = byId<HTMLInputElement>('user').value.trim()
  void userToken(userId).then(credentials => {
    if (credentials === undefined) return
    const c = createClient({ ticketUrl, wsUrl, getToken: () => credentials.token, serverKey: credentials.serverKey, user: userId })
    client = c
    watch(c, credentials, userId)
    byId<HTMLButtonElement>('disconnect').disabled = false
    c.connect().catch((err: unknown) => { log(`stopped: ${String(err)}`) })
  })
})

byId('disconnect').addEventListener('click', () => { client?.close() })

byId('chat').addEventListener('submit', (event) => {
  event.preventDefault()
  const input = byId<HTMLInputElement>('message')
  const content = input.value.trim()
  if (content === '' || client?.send({ type: 'chat_message', content }) !== true) return
  chatLine('me', content)
  step('chat', 'active')
  input.value = ''
})
