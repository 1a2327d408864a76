import type { Result, Scenario } from '../load/job.js'
import { cpuPerOp } from './report.js'
import { fmt, median, spread } from './stats.js'
import { PEER_SCENARIOS, type Peer, type TargetName } from './targets.js'

/** How much cheaper ours must be than each peer (peer cost ÷ our cost), and what a peer's operation is. */
const GOALS: Record<Peer, number> = { seeds: 8, socketio: 1 }
const PEER_NAME: Record<Peer, string> = { seeds: "the guides' Express code", socketio: 'Socket.IO 4 + JWT' }
const PEER_OP: Record<Peer, Partial<Record<Scenario, string>>> = {
  seeds: { handshake: 'ticket, upgrade, authenticate, close' },
  socketio: { handshake: 'connect with the JWT in `auth`, disconnect', pingpong: 'event + acknowledgement', idle: 'authenticated idle socket' }
}

/** The cost a peer comparison is judged on: server CPU per operation, or RSS per idle socket. */
const cost = (scenario: Scenario, r: Result): number => scenario === 'idle' ? r.rssPerSocket ?? Number.NaN : cpuPerOp(r)
const shown = (scenario: Scenario, value: number): string => scenario === 'idle' ? `${fmt(value / 1024, 1)} KB` : `${fmt(value * 1e6, 1)} µs`

/**
 * Ours against each peer, same run: peer cost ÷ our cost, paired by round
 * (so > 1 means ours is cheaper), median with min–max over the rounds.
 */
export function peerTable (results: Map<string, Result[]>, scenarios: Scenario[], targets: TargetName[]): string {
  const lines = [
    '| scenario | ours | peer (operation) | ours: cost/op | peer: cost/op | ours × cheaper: median (min–max) | goal |',
    '|---|---|---|---|---|---|---|'
  ]
  for (const peer of Object.keys(GOALS) as Peer[]) {
    if (!targets.includes(peer)) continue
    for (const scenario of PEER_SCENARIOS[peer].filter(s => scenarios.includes(s))) {
      const theirs = results.get(`${scenario}/${peer}`) ?? []
      for (const ours of ['memory', 'redis'] as const) {
        const mine = results.get(`${scenario}/${ours}`) ?? []
        if (mine.length === 0 || mine.length !== theirs.length) continue
        const ratios = mine.map((r, i) => cost(scenario, theirs[i]) / cost(scenario, r))
        const [lo, hi] = spread(ratios)
        // Socket.IO: ours must simply be cheaper; the guides' code: by the factor the issue sets.
        const verdict = (peer === 'socketio' ? median(ratios) > 1 : median(ratios) >= GOALS[peer]) ? 'met' : 'MISSED'
        lines.push(`| ${scenario} | ${ours} | ${PEER_NAME[peer]} (${PEER_OP[peer][scenario] ?? ''}) | ${shown(scenario, median(mine.map(r => cost(scenario, r))))} | ` +
          `${shown(scenario, median(theirs.map(r => cost(scenario, r))))} | ${fmt(median(ratios), 2)} (${fmt(lo, 2)}–${fmt(hi, 2)}) | ` +
          `${peer === 'socketio' ? '> 1' : `≥ ${GOALS[peer]}`} ${verdict} |`)
      }
    }
  }
  return lines.length > 2 ? lines.join('\n') : ''
}
