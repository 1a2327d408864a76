import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import { closeSocket, connect, pool } from '../load/flow.js'
import type { BenchUser } from '../lib/wire.js'

/** Milliseconds on a clock every process of the run shares (wall clock, sub-millisecond). */
export const nowMs = (): number => performance.timeOrigin + performance.now()

/** Where socket `i` of a run goes: user `i mod users`, and the instance that spreads each user over all of them. */
export const placement = (i: number, users: number, instances: number): { user: number, instance: number } =>
  ({ user: i % users, instance: Math.floor(i / users) % instances })

/** Per user, over the sockets a generator holds: how many, and the fewest and most pushes one of them received. */
export type PerUser = Record<string, { sockets: number, minPushes: number, maxPushes: number }>

/**
 * Authenticated sockets held open, connected straight to the instances as an
 * L4 balancer would. Each one counts the backend-API pushes it receives
 * (latency from the `sentAt` the sender stamped) and records when it was
 * closed by a revocation (4007) and whether `session_revoked` came first.
 */
export class HeldSockets {
  readonly sockets: WebSocket[] = []
  private readonly users: string[] = []
  private readonly pushes: number[] = []
  pushLatencies: number[] = []
  /** Per user: sockets closed by a revocation, and when the last of them closed. */
  readonly revoked = new Map<string, { closes: number, last: number }>()
  /** Sockets closed 4007 without a `session_revoked` frame before it. */
  unannounced = 0
  otherCloses = 0
  failed = 0
  firstError: string | undefined

  async open (users: BenchUser[], ports: number[], from: number, to: number, concurrency: number): Promise<{ opened: number, seconds: number }> {
    const started = nowMs()
    await pool(to - from, concurrency, async (k) => {
      const { user, instance } = placement(from + k, users.length, ports.length)
      try {
        this.watch(await connect(ports[instance], users[user], 'service'), users[user].userId)
      } catch (err) {
        this.failed++
        this.firstError ??= String(err)
      }
    })
    return { opened: this.sockets.length, seconds: (nowMs() - started) / 1000 }
  }

  private watch (socket: WebSocket, userId: string): void {
    const index = this.sockets.push(socket) - 1
    this.users.push(userId)
    this.pushes.push(0)
    let announced = false
    socket.on('message', (data: Buffer) => {
      // Only the pushes carry `sentAt`; a heartbeat or a probe push is not timed.
      const at = data.indexOf('"sentAt":')
      if (at >= 0) {
        this.pushLatencies.push(nowMs() - Number.parseFloat(data.toString('latin1', at + 9, at + 40)))
        this.pushes[index]++
      } else if (data.includes('"session_revoked"')) announced = true
    })
    socket.on('close', (code: number) => {
      if (code !== 4007) {
        this.otherCloses++
        return
      }
      if (!announced) this.unannounced++
      const seen = this.revoked.get(userId) ?? { closes: 0, last: 0 }
      this.revoked.set(userId, { closes: seen.closes + 1, last: nowMs() })
    })
  }

  perUser (): PerUser {
    const out: PerUser = {}
    this.users.forEach((userId, i) => {
      const n = this.pushes[i]
      const seen = out[userId] ?? { sockets: 0, minPushes: n, maxPushes: n }
      out[userId] = { sockets: seen.sockets + 1, minPushes: Math.min(seen.minPushes, n), maxPushes: Math.max(seen.maxPushes, n) }
    })
    return out
  }

  release (): void {
    for (const socket of this.sockets.splice(0)) {
      socket.removeAllListeners('close')
      socket.terminate()
    }
    this.users.splice(0)
    this.pushes.splice(0)
  }
}

/** Closed-loop full handshakes (ticket, upgrade, authenticate, close) for `seconds`; latencies to authenticated. */
export async function handshakeLoop (port: number, users: BenchUser[], seconds: number, concurrency: number): Promise<{ latencies: number[], errors: number }> {
  const until = nowMs() + seconds * 1000
  const latencies: number[] = []
  let errors = 0
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (nowMs() < until) {
      const start = nowMs()
      try {
        const socket = await connect(port, users[next++ % users.length], 'service')
        latencies.push(nowMs() - start)
        await closeSocket(socket)
      } catch {
        errors++
      }
    }
  }))
  return { latencies, errors }
}
