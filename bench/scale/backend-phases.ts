import { cpuSeconds } from '../lib/proc.js'
import { pool } from '../load/flow.js'
import type { Generator } from './fleet.js'
import type { Balancer } from './haproxy.js'
import { nowMs, type PerUser } from './held.js'
import { backend, quantiles, until } from './phases.js'
import { statuses } from './report.js'
import { BACKEND_KEY, type Topology } from './topology.js'
import { lessIdle, perUnit, usage, type Usage } from './usage.js'

/**
 * The backend API phases (PROTOCOL.md §6), through the balancer, against the
 * held sockets: pushes to users whose sockets sit on every instance, then
 * revoke-all. Each phase checks its outcome socket by socket and returns the
 * checks that failed.
 */
interface HeldState { pushLatencies: number[], revoked: Record<string, { closes: number, last: number }>, unannounced: number }

/**
 * A refusal, by status and the service's error code. HAProxy's own answers
 * (e.g. 503 when its health checks have every instance out) have no JSON, and
 * a request without an answer is status 0: their text names the reason.
 */
function refuse (refused: Record<string, number>, { status, body, text }: { status: number, body: any, text: string }): void {
  const from = status === 0 ? 'no answer' : 'from HAProxy'
  const reason = `${status} ${String(body?.code ?? `${from}: ${text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()}`)}`
  refused[reason] = (refused[reason] ?? 0) + 1
}

const userId = (u: number): string => `user-${String(u).padStart(4, '0')}`
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)

async function held (gens: Generator[]): Promise<HeldState[]> {
  return await Promise.all(gens.map(async g => await g.ask<HeldState>({ kind: 'held' })))
}

/** Every user's held sockets and the fewest and most pushes one of them received, over all generators. */
async function perUser (gens: Generator[]): Promise<PerUser> {
  const all: PerUser = {}
  for (const part of await Promise.all(gens.map(async g => await g.ask<PerUser>({ kind: 'per-user' })))) {
    for (const [id, x] of Object.entries(part)) {
      const seen = all[id]
      all[id] = seen === undefined ? x : { sockets: seen.sockets + x.sockets, minPushes: Math.min(seen.minPushes, x.minPushes), maxPushes: Math.max(seen.maxPushes, x.maxPushes) }
    }
  }
  return all
}

/**
 * Pushes for `seconds` (16 requests in flight), round robin over the users,
 * each to every socket of one user; deliveries per second, latency sender →
 * socket, and the server CPU per delivery and per push (net of `idle`, the
 * servers' cores at rest with every socket held). Checks that every
 * accepted push reached every socket of its user exactly once.
 */
export async function pushPhase (topo: Topology, balancer: Balancer, gens: Generator[], users: number, seconds: number, idle: Usage) {
  const path = (u: number): string => `/api/websocket/users/${userId(u)}/messages`
  const held0 = await perUser(gens)
  const socketsOf = (u: number): number => held0[userId(u)]?.sockets ?? 0
  const accepted = new Array<number>(users).fill(0)
  const refused: Record<string, number> = {}
  const downs = balancer.downReasons.length
  const before = usage(topo, balancer.pid)
  const started = nowMs()
  let next = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (nowMs() < started + seconds * 1000) {
      const u = next++ % users
      const answer = await backend(balancer.port, BACKEND_KEY, 'POST', path(u), { message: { type: 'scale_push', sentAt: nowMs() } })
      if (answer.status === 202) accepted[u]++
      else refuse(refused, answer)
    }
  }))
  const sending = (nowMs() - started) / 1000
  const expected = sum(accepted.map((a, u) => a * socketsOf(u)))
  const latencies: number[] = []
  const done = await until(async () => {
    // One at a time: a 30 s window brings more than a spread call's argument limit.
    for (const state of await held(gens)) for (const latency of state.pushLatencies) latencies.push(latency)
    return latencies.length >= expected ? nowMs() : undefined
  }, 30_000)
  const after = lessIdle(usage(topo, balancer.pid), idle, (nowMs() - started) / 1000)
  const takenOut = balancer.downReasons.slice(downs)
  const counts = await perUser(gens)
  const short = accepted.flatMap((a, u) => {
    const c = counts[userId(u)]
    return c === undefined || (c.minPushes === a && c.maxPushes === a) ? [] : [`${userId(u)} ${c.minPushes}–${c.maxPushes} of ${a}`]
  })
  const pushes = sum(accepted)
  const elapsed = ((done ?? nowMs()) - started) / 1000
  const perPush = perUnit(before, after, pushes)
  const split = await pushCostSplit(topo, balancer, seconds, idle.instancesCpu / topo.instances.length)
  return {
    pushes,
    pushesPerSecond: pushes / sending,
    refused,
    /** Why HAProxy's health checks took an instance out during the phase. */
    takenOut,
    expected,
    delivered: latencies.length,
    perSecond: latencies.length / elapsed,
    ...quantiles(latencies),
    perDelivery: perUnit(before, after, latencies.length),
    perPush,
    /** The instances' CPU per push, split: the HTTP request and publish, each instance's receipt of the event, each socket's frame. */
    split: { ...split, frame: (perPush.instancesCpu - split.withoutSockets) / (expected / pushes) },
    failures: [
      ...(pushes > 0 ? [] : [`no push accepted (refused: ${statuses(refused)})`]),
      ...(latencies.length === expected ? [] : [`${latencies.length} deliveries for ${expected} expected`]),
      ...(short.length === 0 ? [] : [`${short.length} users' sockets did not each receive every accepted push once (${short.slice(0, 3).join('; ')})`])
    ]
  }
}

/** Pushes to a user with no socket for `seconds` (16 in flight) at `port`; how many, and each instance's CPU per push net of `idlePerInstance`. */
async function emptyPushes (topo: Topology, port: number, seconds: number, idlePerInstance: number): Promise<{ pushes: number, cpu: number[] }> {
  const cpu = (): number[] => topo.instances.map(i => cpuSeconds(i.pid))
  const before = cpu()
  const started = nowMs()
  let pushes = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (nowMs() < started + seconds * 1000) {
      const { status } = await backend(port, BACKEND_KEY, 'POST', '/api/websocket/users/nobody/messages', { message: { type: 'scale_push' } })
      if (status === 202) pushes++
    }
  }))
  const atRest = idlePerInstance * (nowMs() - started) / 1000
  return { pushes, cpu: cpu().map((c, i) => (c - before[i] - atRest) / pushes) }
}

/**
 * Where a push's instance CPU goes, from pushes to a user with no socket.
 * Straight to the first instance: it pays the HTTP request, the publish and
 * its own receipt of the event, every other instance only the receipt (parse,
 * find no local socket of the user). Through the balancer, as the measured
 * pushes were sent: what they cost without sockets, so that the difference is
 * the sockets' frames. Each window is as long as the measured pushes': a
 * heartbeat sweep is one lump of CPU every 30 s, so windows of a multiple of
 * 30 s each hold as many as the idle rate subtracted.
 */
async function pushCostSplit (topo: Topology, balancer: Balancer, seconds: number, idlePerInstance: number) {
  const direct = await emptyPushes(topo, topo.instances[0].port, seconds, idlePerInstance)
  const [first, ...others] = direct.cpu
  const receive = sum(others) / others.length
  const through = await emptyPushes(topo, balancer.port, seconds, idlePerInstance)
  return { pushes: direct.pushes + through.pushes, request: first - receive, receive, withoutSockets: sum(through.cpu) }
}

/**
 * Revoke every session of `count` users (16 requests in flight); per user,
 * the time from the request until its last socket closed, and the server CPU
 * per revoked socket (net of `idle`). Checks that each answer counted the user's sockets and
 * that each of them, and no other, got `session_revoked` and closed 4007.
 */
export async function revokePhase (topo: Topology, balancer: Balancer, gens: Generator[], users: number, count: number, idle: Usage) {
  const path = (u: number): string => `/api/websocket/users/${userId(u)}/sessions`
  const sockets = await perUser(gens)
  const socketsOf = (id: string): number => sockets[id]?.sockets ?? 0
  const sent = new Map<string, number>()
  const tried = new Set<string>()
  const refused: Record<string, number> = {}
  const miscounted: string[] = []
  const downs = balancer.downReasons.length
  const before = usage(topo, balancer.pid)
  const started = nowMs()
  await pool(Math.min(count, users), 16, async (u) => {
    const at = nowMs()
    tried.add(userId(u))
    const answer = await backend(balancer.port, BACKEND_KEY, 'DELETE', path(u))
    if (answer.status !== 200) return refuse(refused, answer)
    sent.set(userId(u), at)
    if (answer.body?.revoked !== socketsOf(userId(u))) miscounted.push(`${userId(u)} ${String(answer.body?.revoked)} of ${socketsOf(userId(u))}`)
  })
  // A user's sockets are spread over the generators: their closes add up, the last one counts.
  let closed = new Map<string, { closes: number, last: number }>()
  let unannounced = 0
  const allClosed = await until(async () => {
    closed = new Map()
    unannounced = 0
    for (const state of await held(gens)) {
      unannounced += state.unannounced
      for (const [id, r] of Object.entries(state.revoked)) {
        const seen = closed.get(id) ?? { closes: 0, last: 0 }
        closed.set(id, { closes: seen.closes + r.closes, last: Math.max(seen.last, r.last) })
      }
    }
    return [...sent.keys()].every(id => closed.get(id)?.closes === socketsOf(id)) ? true : undefined
  }, 30_000) === true
  const after = lessIdle(usage(topo, balancer.pid), idle, (nowMs() - started) / 1000)
  const takenOut = balancer.downReasons.slice(downs)
  const revokedSockets = sum([...sent.keys()].map(socketsOf))
  const closes = sum([...sent.keys()].map(id => closed.get(id)?.closes ?? 0))
  const bystanders = [...closed.keys()].filter(id => !tried.has(id))
  const times = [...sent].flatMap(([id, at]) => closed.has(id) ? [(closed.get(id) as { last: number }).last - at] : [])
  return {
    users: sent.size,
    sockets: revokedSockets,
    closes,
    refused,
    /** Why HAProxy's health checks took an instance out during the phase. */
    takenOut,
    allClosed,
    ...quantiles(times),
    perSocket: perUnit(before, after, revokedSockets),
    failures: [
      ...(sent.size > 0 ? [] : [`no revocation accepted (refused: ${statuses(refused)})`]),
      ...(miscounted.length === 0 ? [] : [`${miscounted.length} revocations counted other than the user's sockets (${miscounted.slice(0, 3).join('; ')})`]),
      ...(allClosed ? [] : [`${closes} of ${revokedSockets} revoked sockets closed 4007 within 30 s`]),
      ...(unannounced === 0 ? [] : [`${unannounced} sockets closed 4007 without session_revoked first`]),
      ...(bystanders.length === 0 ? [] : [`${bystanders.length} users not revoked had sockets closed 4007`])
    ]
  }
}
