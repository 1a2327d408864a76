import WebSocket from 'ws'
import { createClient, type Client } from '../../src/client/index.js'
import { BENCH_SERVER_KEY, SOURCE_ADDRESSES, type BenchUser } from '../lib/wire.js'

let nextSource = 0

/**
 * The product's SDK (src/client) in Node, on `ws`. The WebSocket it is given
 * remembers the ticket it presented, so every `authentication_success` is
 * counted against the ticket that earned it: a ticket counted twice was
 * redeemed twice.
 */
export class SdkFleet {
  readonly clients: Client[] = []
  readonly redeemed = new Map<string, number>()

  constructor (private readonly port: number, private readonly backoffMaxMs?: number) {}

  private socketClass (): new (url: string) => WebSocket {
    const redeemed = this.redeemed
    return class TicketTrackingSocket extends WebSocket {
      private ticket: string | undefined
      constructor (url: string) {
        super(url, { perMessageDeflate: false, localAddress: SOURCE_ADDRESSES[nextSource++ % SOURCE_ADDRESSES.length] })
        this.on('message', (data: Buffer) => {
          if (this.ticket !== undefined && data.includes('"authentication_success"')) redeemed.set(this.ticket, (redeemed.get(this.ticket) ?? 0) + 1)
        })
      }

      send (data: any, ...rest: any[]): void {
        if (typeof data === 'string' && data.includes('"ticket_authenticate"')) this.ticket = (JSON.parse(data) as { ticket: string }).ticket
        super.send(data, ...rest)
      }
    }
  }

  /** One SDK client per user, through the balancer; resolves when all have authenticated once. */
  async start (users: BenchUser[]): Promise<void> {
    const WS = this.socketClass()
    const base = `127.0.0.1:${this.port}`
    for (const user of users) {
      this.clients.push(createClient({
        ticketUrl: `http://${base}/api/websocket/ticket`,
        wsUrl: `ws://${base}/ws`,
        getToken: () => user.headers.authorization.slice('Bearer '.length),
        serverKey: BENCH_SERVER_KEY,
        user: { userId: user.userId, entityId: 'entity-1', entityType: 'BRAND' },
        WebSocket: WS,
        backoff: this.backoffMaxMs === undefined ? undefined : { maxMs: this.backoffMaxMs }
      }))
    }
    await Promise.all(this.clients.map(async c => await c.connect()))
  }

  status (sample: number): { open: number, failed: string[], sessionIds: string[], doubles: number, redemptions: number, sampleTickets: string[] } {
    const open = this.clients.filter(c => c.state === 'open')
    return {
      open: open.length,
      failed: this.clients.filter(c => c.state === 'failed').map(c => c.failure?.code ?? '?'),
      sessionIds: open.map(c => c.sessionId as string),
      doubles: [...this.redeemed.values()].filter(n => n > 1).length,
      redemptions: this.redeemed.size,
      sampleTickets: [...this.redeemed.keys()].slice(0, sample)
    }
  }

  close (): void {
    for (const client of this.clients) client.close()
  }
}

/**
 * Present tickets that were already redeemed once more, on fresh sockets
 * through the balancer (so possibly on another instance): every answer must
 * be a refusal. Returns how many were accepted and the refusal codes.
 */
export async function replay (port: number, tickets: string[]): Promise<{ accepted: number, codes: Record<string, number> }> {
  const codes: Record<string, number> = {}
  let accepted = 0
  await Promise.all(tickets.map(async ticket => await new Promise<void>(resolve => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false })
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string, code?: string }
      if (message.type === 'connection_established') return socket.send(JSON.stringify({ type: 'ticket_authenticate', ticket }))
      if (message.type === 'authentication_success') accepted++
      else codes[message.code ?? message.type] = (codes[message.code ?? message.type] ?? 0) + 1
      socket.terminate()
    })
    socket.on('error', () => { codes.SOCKET_ERROR = (codes.SOCKET_ERROR ?? 0) + 1 })
    socket.on('close', () => resolve())
  })))
  return { accepted, codes }
}
