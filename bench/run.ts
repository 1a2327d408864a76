import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { HAS_TASKSET } from './lib/proc.js'
import { measure, redisUnavailable } from './lib/measure.js'
import { headline, table } from './lib/report.js'
import { fmt } from './lib/stats.js'
import type { TargetName } from './lib/targets.js'
import type { Result, Scenario } from './load/job.js'

/**
 * `npm run bench [-- --quick] [--runs N] [--only issue,idle] [--targets bare,memory]
 * [--sockets N] [--profile] [--env NAME=value …]`:
 * every scenario against its bare baseline, the memory store and Redis, in
 * rounds (baseline, memory, Redis, then again), one table of medians.
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
const scenarios = args.only === undefined ? ALL : ALL.filter(s => args.only?.split(',').includes(s))
const sockets = Number(args.sockets ?? (quick ? 2000 : 10_000))
const concurrency: Record<Scenario, number> = { issue: 10, handshake: 16, idle: 64, pingpong: 50, gateway: 50 }
const profileDir = 'bench/results/profiles'
if (args.profile === true || args.heap === true) mkdirSync(profileDir, { recursive: true })

const log = (line: string): void => { process.stderr.write(`${line}\n`) }
log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, taskset ${HAS_TASKSET ? 'yes: server on cpu 0, load on cpu 1' : 'absent: no pinning'}`)

const whyNoRedis = await redisUnavailable()
const targets = (whyNoRedis === undefined ? ['bare', 'memory', 'redis'] as TargetName[] : ['bare', 'memory'] as TargetName[])
  .filter(t => args.targets === undefined || args.targets.split(',').includes(t))
if (whyNoRedis !== undefined) log(`Redis rows skipped: ${whyNoRedis}`)

const results = new Map<string, Result[]>()
const started = Date.now()
for (const scenario of scenarios) {
  for (let run = 1; run <= runs; run++) {
    // The relay never touches the store: gateway mode is measured on the memory store only.
    for (const target of targets.filter(t => scenario !== 'gateway' || t !== 'redis')) {
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

const output = table(results, scenarios, targets)
process.stdout.write(`\n${output}\n\n`)
log(`${runs} run(s) per row, ${seconds} s measured per run${scenarios.includes('idle') ? `, idle at ${sockets} sockets` : ''}; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`)
if (whyNoRedis !== undefined) log(`Redis rows skipped: ${whyNoRedis}`)
mkdirSync('bench/results', { recursive: true })
const stamp = new Date().toISOString().replace(/[:.]/g, '-')
writeFileSync(`bench/results/${stamp}.json`, JSON.stringify({ runs, seconds, sockets, whyNoRedis, results: Object.fromEntries(results) }, null, 2))
writeFileSync(`bench/results/${stamp}.md`, `${output}\n`)
