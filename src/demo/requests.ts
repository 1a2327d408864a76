/** The demo page's requests outside the client SDK: a development JWT, and a bare ticket presentation. */
import { byId, step } from './view.js'

export type Credentials = { token: string, serverKey: string, userId: string }

/** A JWT from the development-only route, unless the user pasted one. */
export async function userToken (userId: string): Promise<Credentials | undefined> {
  const pasted = byId<HTMLTextAreaElement>('jwt').value.trim()
  const typedKey = byId<HTMLInputElement>('server-key').value.trim()
  if (pasted !== '') {
    step('token', 'done', 'your own JWT')
    return { token: pasted, serverKey: typedKey, userId }
  }
  step('token', 'active')
  const res = await fetch('/demo/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) })
  if (!res.ok) {
    step('token', 'failed', `HTTP ${res.status}: paste a JWT instead`)
    return undefined
  }
  const body = await res.json() as { token: string, serverKey: string, expiresIn: number }
  const serverKey = typedKey === '' ? body.serverKey : typedKey
  byId<HTMLInputElement>('server-key').value = serverKey
  step('token', 'done', `minted by POST /demo/token, valid ${body.expiresIn} s, development only`)
  return { token: body.token, serverKey, userId }
}

/** Present a ticket on a socket of its own; the first answer after the announcement. */
export async function presentTicket (wsUrl: string, ticket: string): Promise<{ type: string, code?: string }> {
  return await new Promise(resolve => {
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
