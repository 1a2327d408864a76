import type { TicketResponse } from '../protocol/http.js'
import type { ClientFailure, ClientOptions } from './types.js'

/** A failed step of the client, carrying the protocol's code when the server gave one. */
export class ClientError extends Error implements ClientFailure {
  readonly code: string
  readonly status?: number
  readonly retryAfterMs?: number

  constructor (failure: ClientFailure) {
    super(failure.message)
    this.name = 'ClientError'
    this.code = failure.code
    this.status = failure.status
    this.retryAfterMs = failure.retryAfterMs
  }
}

type TicketOptions = Pick<ClientOptions, 'ticketUrl' | 'getToken' | 'serverKey' | 'user' | 'fetch'>

/** `POST /api/websocket/ticket` with the user's JWT: a fresh single-use ticket, or a ClientError with the server's code. */
export async function fetchTicket (opts: TicketOptions): Promise<TicketResponse> {
  let token: string
  try {
    token = await opts.getToken()
  } catch (err) {
    throw new ClientError({ code: 'TOKEN_UNAVAILABLE', message: `getToken failed: ${String(err)}` })
  }
  const user = typeof opts.user === 'string' ? { userId: opts.user } : opts.user
  const userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent
  let res: Response
  try {
    res = await (opts.fetch ?? globalThis.fetch)(opts.ticketUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-chat-server-key': opts.serverKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ...user, clientInfo: { userAgent, timestamp: new Date().toISOString() } })
    })
  } catch (err) {
    throw new ClientError({ code: 'NETWORK_ERROR', message: `ticket request failed: ${String(err)}` })
  }
  const body = await res.json().catch(() => ({})) as Partial<TicketResponse> & { code?: unknown, error?: unknown }
  if (res.ok && typeof body.ticket === 'string') return body as TicketResponse
  const retryAfter = Number(res.headers.get('retry-after'))
  throw new ClientError({
    code: typeof body.code === 'string' ? body.code : 'TICKET_REQUEST_FAILED',
    message: typeof body.error === 'string' ? body.error : `ticket request answered HTTP ${res.status}`,
    status: res.status,
    retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined
  })
}
