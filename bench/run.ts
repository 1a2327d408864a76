import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { HAS_TASKSET } from './lib/proc.js'
import { measure, redisUnavailable } from './lib/measure.js'
import { headline, table } from './lib/report.js'
import { fmt } from './lib/stats.js'
import { PEER_SCENARIOS, isPeer, type Peer, type TargetName } from './lib/targets.js'
import { peerTable } from './lib/peers.js'
import type { Result, Scenario } from './load/job.js'

/**
 * `npm run bench [-- --quick] [--runs N] [--only issue,idle|seeds,socketio] [--targets bare,memory]
 * [--sockets N] [--profile] [--env NAME=value …]`:
 * every scenario against its bare baseline, the memory store, Redis and the
 * peers that do the same thing, in rounds (baseline, memory, Redis, peers,
 * then again), one table of medians and one of ours against the peers.
 * `--only seeds` / `--only socketio` runs the scenarios of that peer, ours beside it.
 */
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    sockets: { type: 'string' },
    targets: { type: 'string' },
    env: { type: 'string', multiple: true },
    heap: { type: 'boolean', default: false }
  }
})
const quick = args.quick === true
const runs = Number(args.runs ?? (quick ? 1 : 3))
const seconds = quick ? 2 : 5
const ALL: Scenario[] = ['issue', 'handshake', 'idle', 'pingpong', 'gateway']
const only = args.only?.split(',')
const onlyPeers = (Object.keys(PEER_SCENARIOS) as Peer[]).filter(p => only?.includes(p))
const named = ALL.filter(s => only?.includes(s))
const scenarios = only === undefined ? ALL : named.length > 0 ? named : ALL.filter(s => onlyPeers.some(p => PEER_SCENARIOS[p].includes(s)))
const sockets = Number(args.sockets ?? (quick ? 2000 : 10_000))
const concurrency: Record<Scenario, number> = { issue: 10, handshake: 16, idle: 64, pingpong: 50, gateway: 50 }
const profileDir = 'bench/results/profiles'
if (args.profile === true || args.heap === true) mkdirSync(profileDir, { recursive: true })

const log = (line: string): void => { process.stderr.write(`${line}\n`) }
log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, taskset ${HAS_TASKSET ? 'yes: server on cpu 0, load on cpu 1' : 'absent: no pinning'}`)

const whyNoRedis = await redisUnavailable()
function wanted (t: TargetName): boolean {
  if (args.targets !== undefined) return args.targets.split(',').includes(t)
  // `--only seeds`: that peer and ours beside it, without the bare baseline (the peer table does not use it).
  if (onlyPeers.length > 0) return isPeer(t) ? onlyPeers.includes(t) : t !== 'bare'
  return true
}
// The guides' code needs Redis; without it only Socket.IO joins ours.
const targets = (whyNoRedis === undefined ? ['bare', 'memory', 'redis', 'pipe', 'seeds', 'socketio'] as TargetName[] : ['bare', 'memory', 'pipe', 'socketio'] as TargetName[]).filter(wanted)
if (whyNoRedis !== undefined) log(`Redis rows skipped: ${whyNoRedis}`)

const results = new Map<string, Result[]>()
const started = Date.now()
for (const scenario of scenarios) {
  for (let run = 1; run <= runs; run++) {
    // The relay never touches the store: gateway mode is measured on the memory store only, beside its floor (pipe).
    for (const target of targets.filter(t => scenario === 'gateway' ? t !== 'redis' : t !== 'pipe')) {
      if (isPeer(target) && !PEER_SCENARIOS[target].includes(scenario)) continue
      const result = await measure(scenario, target, {
        warmupSeconds: quick ? 1 : 2, seconds, concurrency: concurrency[scenario], sockets, users: 1000
      }, {
        profileFile: args.profile === true ? `${profileDir}/${scenario}-${target}-${run}.cpuprofile` : undefined,
        heapPrefix: args.heap === true ? `${profileDir}/${scenario}-${target}-${run}` : undefined,
        env: Object.fromEntries((args.env ?? []).map(kv => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
      })
      const key = `${scenario}/${target}`
      results.set(key, [...results.get(key) ?? [], result])
      const figure = scenario === 'idle' ? `${fmt(headline(scenario, result) / 1024, 1)} KB RSS/socket net of young generation (heap ${fmt((result.heapPerSocket ?? 0) / 1024, 1)} KB, young generation ${fmt((result.youngPerSocket ?? 0) / 1024, 1)} KB)` : `${fmt(headline(scenario, result))} /s`
      log(`  ${key} run ${run}/${runs}: ${figure}, server ${fmt(result.serverCpu / result.ops * 1e6, 1)} µs/op, load ${fmt(result.clientCpu / result.seconds * 100)} % CPU, machine busy ${fmt(result.machineCpu / result.seconds, 2)} cores, ${result.errors} errors`)
    }
  }
}

const peers = peerTable(results, scenarios, targets)
const output = `${table(results, scenarios, targets)}${peers === '' ? '' : `\n\nOurs against the peers, same run (peer cost ÷ ours):\n\n${peers}`}`
process.stdout.write(`\n${output}\n\n`)
log(`${runs} run(s) per row, ${seconds} s measured per run${scenarios.includes('idle') ? `, idle at ${sockets} sockets` : ''}; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`)
if (whyNoRedis !== undefined) log(`Redis rows skipped: ${whyNoRedis}`)
mkdirSync('bench/results', { recursive: true })
const stamp = new Date().toISOString().replace(/[:.]/g, '-')
writeFileSync(`bench/results/${stamp}.json`, JSON.stringify({ runs, seconds, sockets, whyNoRedis, results: Object.fromEntries(results) }, null, 2))
writeFileSync(`bench/results/${stamp}.md`, `${output}\n`)
