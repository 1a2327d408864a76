import type { Result, Scenario } from '../load/job.js'
import { fmt, median, spread } from './stats.js'
import { isPeer, usesRedis, type TargetName } from './targets.js'

/** The ratio each service row must reach against its baseline (≥ for rates, ≤ for memory). */
export const TARGETS: Record<Scenario, { memory: number, redis: number, atMost?: true, byCpu?: true }> = {
  issue: { memory: 0.5, redis: 0.4 },
  handshake: { memory: 0.6, redis: 0.6 },
  pingpong: { memory: 0.85, redis: 0.85 },
  idle: { memory: 1.3, redis: 1.3, atMost: true },
  // Issue 13: the gateway's CPU per relayed round trip at most 1.5× a bare echo's CPU per round trip.
  gateway: { memory: 1 / 1.5, redis: 1 / 1.5, byCpu: true }
}

const BASELINE: Record<Scenario, string> = {
  issue: 'bare Fastify route', handshake: 'bare Fastify+ws flow', idle: 'bare ws', pingpong: 'bare ws echo', gateway: 'the upstream ws echo, direct'
}

/** The figure a scenario is judged on: operations per second, or bytes of server RSS per idle socket. */
export const headline = (scenario: Scenario, r: Result): number =>
  scenario === 'idle' ? r.rssPerSocket ?? Number.NaN : r.ops / r.seconds

const withSpread = (values: number[], digits: number, scale = 1): string => {
  const [lo, hi] = spread(values)
  return values.length > 1
    ? `${fmt(median(values) / scale, digits)} (${fmt(lo / scale, digits)}–${fmt(hi / scale, digits)})`
    : fmt(median(values) / scale, digits)
}

export const cpuPerOp = (r: Result): number => r.serverCpu / r.ops

/** Cores' worth of CPU that neither the server, nor the load generator, nor Redis used during the window. */
const otherLoad = (r: Result): number => Math.max(0, r.machineCpu - r.serverCpu - r.clientCpu - (r.redisCpu ?? 0)) / r.seconds

/** One Markdown table: a row per scenario and target, medians of the runs with [min–max]. */
export function table (results: Map<string, Result[]>, scenarios: Scenario[], targets: TargetName[]): string {
  const lines = [
    '| scenario | target | result: median (min–max) | × baseline: median (min–max) | goal | × baseline by CPU/op | p50 ms | p99 ms | server CPU µs/op | Redis CPU µs/op | load-gen CPU | other load | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|'
  ]
  for (const scenario of scenarios) {
    const bare = results.get(`${scenario}/bare`) ?? []
    for (const target of targets) {
      const runs = results.get(`${scenario}/${target}`)
      if (runs === undefined || runs.length === 0) continue
      const idle = scenario === 'idle'
      const values = runs.map(r => headline(scenario, r))
      const result = idle
        ? `${withSpread(values, 1, 1024)} KB/socket (heap ${fmt(median(runs.map(r => r.heapPerSocket ?? Number.NaN)) / 1024, 1)} KB)`
        : `${withSpread(values, 0)} /s`
      // Ratios pair each run with the baseline of the same round, so slow drift of the machine cancels out.
      // Without baseline runs (`--targets memory`) there is nothing to compare with: no ratio, no verdict.
      const compared = target !== 'bare' && bare.length === runs.length
      const ratios = compared ? runs.map((r, i) => headline(scenario, r) / headline(scenario, bare[i])) : []
      // Throughput the server could reach on its core alone: immune to a saturated client and to other people's load.
      const cpuRatios = !compared || idle ? [] : runs.map((r, i) => cpuPerOp(bare[i]) / cpuPerOp(r))
      const judged = TARGETS[scenario].byCpu === true ? cpuRatios : ratios
      const goal = target === 'bare'
        ? `(${BASELINE[scenario]})`
        : isPeer(target) ? '(peer: see the peer table)' : target === 'pipe' ? '(floor: a raw TCP byte pipe to the same echo)' : compared ? judge(scenario, target, median(judged)) : '(no baseline run)'
      lines.push([
        '', scenario, target, result, target === 'bare' ? '1' : compared ? withSpread(ratios, 2) : '', goal, cpuRatios.length > 0 ? withSpread(cpuRatios, 2) : '',
        fmt(median(runs.map(r => r.p50Ms)), 2), fmt(median(runs.map(r => r.p99Ms)), 2),
        fmt(median(runs.map(cpuPerOp)) * 1e6, 1),
        usesRedis(target) ? fmt(median(runs.map(r => ((r.redisCpu ?? Number.NaN) / r.ops) * 1e6)), 1) : '',
        `${fmt(median(runs.map(r => (r.clientCpu / r.seconds) * 100)), 0)} %`,
        `${fmt(median(runs.map(otherLoad)), 2)} cores`,
        String(runs.reduce((n, r) => n + r.errors, 0)), ''
      ].join(' | ').trim())
    }
  }
  return lines.join('\n')
}

function judge (scenario: Scenario, target: 'memory' | 'redis', ratio: number): string {
  const goal = TARGETS[scenario]
  const limit = goal[target]
  const ok = goal.atMost === true ? ratio <= limit : ratio >= limit
  return `${goal.byCpu === true ? 'by CPU/op ' : ''}${goal.atMost === true ? '≤' : '≥'} ${fmt(limit, 2)} ${ok ? 'met' : 'MISSED'}`
}
