import { pool } from '../load/flow.js'
import type { Generator } from './fleet.js'
import { nowMs } from './held.js'
import { backend, quantiles, until } from './phases.js'
import { BACKEND_KEY } from './topology.js'

/**
 * The backend API phases (PROTOCOL.md §6), through the balancer, against the
 * held sockets: pushes to users whose sockets sit on every instance, then
 * revoke-all. A build without the API answers 404: the phase says so.
 */
interface HeldState { pushLatencies: number[], revoked: Record<string, { closes: number, last: number }>, otherCloses: number }
type Unavailable = { available: false, reason: string }

/** How many of `sockets` held sockets belong to user `u` (socket i is user i mod users). */
export const socketsOf = (u: number, sockets: number, users: number): number => u < sockets ? Math.floor((sockets - 1 - u) / users) + 1 : 0
const userId = (u: number): string => `user-${String(u).padStart(4, '0')}`

async function held (gens: Generator[]): Promise<HeldState[]> {
  return await Promise.all(gens.map(async g => await g.ask<HeldState>({ kind: 'held' })))
}

function unavailable (what: string, status: number): Unavailable | undefined {
  if (status === 404) return { available: false, reason: `${what} answered 404: the backend API is not in this build` }
  return undefined
}

/** Pushes for `seconds` (16 in flight), each to one user's sockets; deliveries per second and latency sender → socket. */
export async function pushPhase (gens: Generator[], balancer: number, sockets: number, users: number, seconds: number) {
  const path = (u: number): string => `/api/websocket/users/${userId(u)}/messages`
  const probe = await backend(balancer, BACKEND_KEY, 'POST', path(0), { message: { type: 'scale_probe' } })
  const missing = unavailable('POST /api/websocket/users/:userId/messages', probe)
  if (missing !== undefined) return missing
  const started = nowMs()
  let next = 0
  let expected = 0
  let refused = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (nowMs() < started + seconds * 1000) {
      const u = next++ % users
      const status = await backend(balancer, BACKEND_KEY, 'POST', path(u), { message: { type: 'scale_push', sentAt: nowMs() } })
      if (status === 202) expected += socketsOf(u, sockets, users)
      else refused++
    }
  }))
  const latencies: number[] = []
  const done = await until(async () => {
    for (const state of await held(gens)) latencies.push(...state.pushLatencies)
    return latencies.length >= expected ? nowMs() : undefined
  }, 30_000)
  const elapsed = ((done ?? nowMs()) - started) / 1000
  return { available: true as const, pushes: next, refused, expected, delivered: latencies.length, perSecond: latencies.length / elapsed, ...quantiles(latencies) }
}

/** Revoke every session of `count` users (16 requests in flight); per user, the time until its last socket closed. */
export async function revokePhase (gens: Generator[], balancer: number, sockets: number, users: number, count: number) {
  const path = (u: number): string => `/api/websocket/users/${userId(u)}/sessions`
  const sent = new Map<string, { u: number, at: number }>()
  let refused = 0
  let missing: Unavailable | undefined
  await pool(Math.min(count, users), 16, async (u) => {
    sent.set(userId(u), { u, at: nowMs() })
    const status = await backend(balancer, BACKEND_KEY, 'DELETE', path(u))
    missing ??= unavailable('DELETE /api/websocket/users/:userId/sessions', status)
    if (status !== 200) refused++
  })
  if (missing !== undefined) return missing
  let last = new Map<string, { closes: number, last: number }>()
  const all = await until(async () => {
    // A user's sockets are spread over the generators: their closes add up, the last one counts.
    last = new Map()
    for (const state of await held(gens)) {
      for (const [id, r] of Object.entries(state.revoked)) {
        const seen = last.get(id) ?? { closes: 0, last: 0 }
        last.set(id, { closes: seen.closes + r.closes, last: Math.max(seen.last, r.last) })
      }
    }
    return [...sent].every(([id, { u }]) => last.get(id)?.closes === socketsOf(u, sockets, users)) ? true : undefined
  }, 30_000)
  const times = [...sent].flatMap(([id, { at }]) => last.has(id) ? [(last.get(id) as { last: number }).last - at] : [])
  return { available: true as const, users: sent.size, refused, allClosed: all === true, ...quantiles(times) }
}
