/**
 * The demo page's script (bundled for the browser by src/demo/bundle.ts):
 * drives the client SDK through the page's state machine and shows each
 * step of the flow. Every connection is numbered; an event of an older one
 * (a late answer after Disconnect) changes nothing on the page.
 */
import { createClient, fetchTicket, type Client, type ClientFailure, type ClientState } from '../client/index.js'
import { createMachine } from './machine.js'
import { byId, chatLine, log, render, resetSteps, showSession, step, type StepName } from './view.js'
import { presentTicket, userToken, type Credentials } from './requests.js'

const ticketUrl = `${location.origin}/api/websocket/ticket`
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
const machine = createMachine((state, previous) => { render(state); log(`state ${previous} → ${state}`) })
let client: Client | undefined
let attempt = 0

/** Present one ticket on two sockets: the first is let in, the second is refused. */
async function showReplay ({ token, serverKey, userId }: Credentials, mine: number): Promise<void> {
  step('replay', 'active')
  const { ticket } = await fetchTicket({ ticketUrl, getToken: () => token, serverKey, user: userId })
  const first = await presentTicket(wsUrl, ticket)
  const second = await presentTicket(wsUrl, ticket)
  if (mine !== attempt) return
  step('replay', second.code === 'TICKET_USED' ? 'done' : 'failed', `first use: ${first.type}; again: ${second.type} ${second.code ?? ''}`)
  log(`replayed ticket answered ${second.type} ${second.code ?? ''}`)
}

/** The step an attempt was on when it failed: a refused ticket fails step 2, not step 4. */
const FAILED_STEP: Partial<Record<ClientState, StepName>> = { fetching_ticket: 'ticket', connecting: 'connect', authenticating: 'authenticate' }
const failureText = (f: ClientFailure) => `${f.status === undefined ? '' : `HTTP ${f.status} `}${f.code}`

function watch (c: Client, credentials: Credentials, mine: number): void {
  let phase: ClientState = 'idle'
  let replayShown = false
  const current = () => mine === attempt
  c.onState(({ state, failure, delayMs }) => {
    if (!current()) return
    const failedStep = FAILED_STEP[phase]
    phase = state
    if (state === 'reconnecting') {
      // A new connection: the steps and session of the one that ended are not its own.
      resetSteps(['ticket', 'connect', 'authenticate', 'chat', 'heartbeat'])
      showSession(undefined)
      log(`reconnecting in ${delayMs ?? 0} ms with a fresh ticket`)
      machine.to('connecting')
    }
    if (failure !== undefined) log(`${failure.code}: ${failure.message}`)
    if (failure !== undefined && failedStep !== undefined) step(failedStep, 'failed', failureText(failure))
    if (state === 'fetching_ticket') step('ticket', 'active')
    if (state === 'connecting') step('ticket', 'done', 'single-use, fetched for this connection')
    if (state === 'authenticating') step('authenticate', 'active')
    if (state === 'open') machine.to('open')
    if (state === 'failed') machine.to('error')
  })
  c.on('connection_established', (m) => { if (current()) step('connect', 'done', `announced ${m.sessionId}`) })
  c.on('authentication_success', (m) => {
    if (!current()) return
    resetSteps(['chat', 'heartbeat'])
    showSession(m.sessionId)
    step('authenticate', 'done', `as ${m.user.userId}`)
    log(`authenticated as ${m.user.userId}, session ${m.sessionId}`)
    void c.request({ type: 'heartbeat_ping', pingTime: Date.now() }).catch(() => undefined)
    if (replayShown) return
    replayShown = true
    showReplay(credentials, mine).catch((err: unknown) => { if (current()) step('replay', 'failed', String(err)) })
  })
  c.on('chat_response', (m) => {
    if (!current()) return
    chatLine('server', m.content)
    step('chat', 'done', m.content)
    log(`received chat_response: ${m.content}`)
  })
  c.on('heartbeat_pong', (m) => {
    if (!current() || typeof m.pingTime !== 'number') return
    const rtt = `${Date.now() - m.pingTime} ms`
    byId('rtt').textContent = rtt
    step('heartbeat', 'done', `${rtt} round trip`)
    log(`heartbeat_pong after ${rtt}`)
  })
  c.on('server_shutdown', () => { if (current()) log('server_shutdown: the server is going away, reconnecting at once') })
  c.on('error', (m) => { if (current()) log(`error ${m.code}: ${m.error}`) })
}

byId('login').addEventListener('submit', (event) => {
  event.preventDefault()
  if (!machine.to('connecting')) return // already connecting or open: a second click opens nothing
  const mine = ++attempt
  resetSteps()
  showSession(undefined)
  byId('messages').replaceChildren()
  const userId = byId<HTMLInputElement>('user').value.trim()
  log(`connect as ${userId}`)
  void userToken(userId).then(credentials => {
    if (mine !== attempt) return
    if (credentials === undefined) {
      machine.to('error')
      return
    }
    client = createClient({ ticketUrl, wsUrl, getToken: () => credentials.token, serverKey: credentials.serverKey, user: userId })
    watch(client, credentials, mine)
    client.connect().catch(() => undefined) // its failure arrives through onState
  })
})

byId('disconnect').addEventListener('click', () => {
  if (!machine.to('closed')) return
  attempt++
  client?.close()
  client = undefined
  resetSteps()
  showSession(undefined)
  log('disconnected: you closed the connection (1000)')
})

byId('chat').addEventListener('submit', (event) => {
  event.preventDefault()
  const input = byId<HTMLInputElement>('message')
  const content = input.value.trim()
  if (content === '' || client?.send({ type: 'chat_message', content }) !== true) return
  chatLine('me', content)
  step('chat', 'active')
  log(`sent chat_message: ${content}`)
  input.value = ''
})

render(machine.state)
