import { fmt } from '../lib/stats.js'
import type { pushPhase, revokePhase } from './backend-phases.js'
import type { holdPhase, ratePhase, releasePhase } from './phases.js'
import type { RestartResult } from './restart.js'
import type { Usage } from './usage.js'

export interface ScaleReport {
  instances: number
  loadAverage: { start: number[], end: number[] }
  rate?: Awaited<ReturnType<typeof ratePhase>>
  hold?: Awaited<ReturnType<typeof holdPhase>>
  released?: Awaited<ReturnType<typeof releasePhase>>
  push?: Awaited<ReturnType<typeof pushPhase>>
  revoke?: Awaited<ReturnType<typeof revokePhase>>
  restart?: RestartResult
  failures: string[]
}

const MB = 1024 * 1024
const ms = (value: number): string => `${fmt(value, 1)} ms`
/** Refusals and how often each was answered, e.g. `3 × 503 DATABASE_ERROR`. */
export const statuses = (counts: Record<string, number>): string => Object.entries(counts).map(([s, n]) => `${n} × ${s}`).join(', ') || 'none'
const outs = (reasons: string[]): string => reasons.length === 0 ? 'none' : `${reasons.length} (${reasons.join('; ')})`
const cpu = (u: Usage): string => `instances ${fmt(u.instancesCpu * 1e6)} µs, Redis ${fmt(u.redisCpu * 1e6)} µs (all 6 nodes), HAProxy ${fmt(u.haproxyCpu * 1e6)} µs`

/** The run as one Markdown table: what was measured, with the figure and its detail. */
export function scaleTable (r: ScaleReport): string {
  const rows: Array<[string, string]> = []
  if (r.rate !== undefined) {
    rows.push(['handshakes through HAProxy', `${fmt(r.rate.perSecond)} /s (${fmt(r.rate.handshakes)} in all, ${r.rate.errors} errors); p50 ${ms(r.rate.p50)}, p99 ${ms(r.rate.p99)} to authenticated`])
    rows.push(['CPU per handshake through HAProxy', cpu(r.rate.perHandshake)])
  }
  if (r.hold !== undefined) {
    const h = r.hold
    rows.push(['authenticated sockets held (direct to instances)', `${fmt(h.opened)} (${h.failed} failed${h.firstError === undefined ? '' : `: ${h.firstError}`}; ${h.lost} closed by the server while held), opened in ${fmt(h.seconds, 1)} s (${fmt(h.perSecond)} /s)`])
    rows.push(['sockets and RSS per instance (after a full GC, net of the young generation), before → after', h.rssBefore.map((b, i) => `${fmt(h.perInstance[i])}: ${fmt(b / MB)} → ${fmt(h.rssAfter[i] / MB)} MB`).join('; ')])
    rows.push(['RSS growth per socket', `${fmt(h.kbPerSocket, 1)} KB`])
    rows.push(['CPU per socket opened direct (second half)', cpu(h.perSocket)])
    rows.push(['Redis memory per session (masters)', `${fmt(h.redisBytesPerSession)} bytes`])
    rows.push(['idle: cores used with every socket open; extra cores per 100,000 more idle sockets (second half)', `instances ${fmt(h.idleCores.instancesCpu, 3)}, Redis ${fmt(h.idleCores.redisCpu, 3)}, HAProxy ${fmt(h.idleCores.haproxyCpu, 3)}; ` +
      `instances ${fmt(h.idlePerSocketSecond.instancesCpu * 1e5, 3)}, Redis ${fmt(h.idlePerSocketSecond.redisCpu * 1e5, 3)}`])
  }
  if (r.push !== undefined) {
    const x = r.push
    rows.push(['backend push to users on every instance (16 requests in flight through HAProxy)', `${fmt(x.perSecond)} deliveries/s (${fmt(x.delivered)} of ${fmt(x.expected)} from ${fmt(x.pushes)} pushes, ${fmt(x.pushesPerSecond)} pushes/s; refused: ${statuses(x.refused)}; instances taken out by HAProxy's health checks: ${outs(x.takenOut)}); ` +
      `p50 ${ms(x.p50)}, p99 ${ms(x.p99)} sender → socket`])
    rows.push(['CPU per push delivered, per socket reached; per push accepted (net of the idle rate)', `${cpu(x.perDelivery)}; ${cpu(x.perPush)}`])
    rows.push(['instance CPU per push, split (pushes to a user without sockets: straight to one instance, then through HAProxy; net of the idle rate)', `HTTP request and publish ${fmt(x.split.request * 1e6)} µs; each instance's receipt of the event ${fmt(x.split.receive * 1e6)} µs; ` +
      `a push without sockets through HAProxy ${fmt(x.split.withoutSockets * 1e6)} µs, so each socket's frame ${fmt(x.split.frame * 1e6)} µs (${fmt(x.split.pushes)} pushes)`])
  }
  if (r.revoke !== undefined) {
    const x = r.revoke
    rows.push(['revoke-all (16 requests in flight through HAProxy), time to the last close', `${x.users} users (refused: ${statuses(x.refused)}; instances taken out by HAProxy's health checks: ${outs(x.takenOut)}), ${fmt(x.closes)} of ${fmt(x.sockets)} sockets closed 4007 after session_revoked; p50 ${ms(x.p50)}, p99 ${ms(x.p99)}`])
    rows.push(['CPU per revoked socket (net of the idle rate)', cpu(x.perSocket)])
  }
  if (r.released !== undefined) {
    const x = r.released
    rows.push(['held sockets dropped by their clients: sessions left in the store', x.left === 0
      ? `none: all ${fmt(x.released)} removed within ${fmt(x.seconds ?? Number.NaN, 1)} s`
      : `${fmt(x.left)} of ${fmt(x.released)} still there after 120 s`])
  }
  if (r.restart !== undefined) {
    const x = r.restart
    rows.push(['rolling restart (SIGTERM one at a time, SDK clients)', x.restarts.map(s => `instance ${s.instance} (${s.connections} connections through HAProxy): ${s.reauthenticated} clients re-authenticated, drained ${fmt(s.drainedMs / 1000, 1)} s, every client back after ${s.backMs === undefined ? 'NEVER' : `${fmt(s.backMs / 1000, 1)} s`}`).join('; ')])
    rows.push(['after the restart', `${x.open} of ${x.clients} clients authenticated; ${x.doubles} tickets redeemed twice of ${x.redemptions}; ` +
      `${x.replay.accepted} of ${x.replay.tried} spent tickets accepted on replay (${Object.entries(x.replay.codes).map(([c, n]) => `${c} ${n}`).join(', ')}); ` +
      `store: ${x.store.orphaned} orphaned, ${x.store.missing} missing, ${x.store.sessionKeys} session keys for ${x.store.live} live sessions`])
  }
  rows.push(['load average (1 min) at start, end', `${fmt(r.loadAverage.start[0], 2)}, ${fmt(r.loadAverage.end[0], 2)}`])
  rows.push(['verdict', r.failures.length === 0 ? 'every correctness check held' : `FAILED: ${r.failures.join('; ')}`])
  return ['| measure | result |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n')
}
