import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { pushPhase, revokePhase } from './backend-phases.js'
import { cleanup } from './cleanup.js'
import { SOCKETS_PER_GENERATOR, startGenerators } from './fleet.js'
import { BALANCER_MAX_CONNECTIONS, HAPROXY_MISSING, startHaproxy } from './haproxy.js'
import { holdPhase, ratePhase, releasePhase } from './phases.js'
import { scaleTable, type ScaleReport } from './report.js'
import { restartFailures, restartPhase } from './restart.js'
import { startTopology } from './topology.js'

/**
 * `npm run scale [-- --instances 4 --sockets 60000 --clients 2000 --backoff-max-ms 2000 --skip-push …]`:
 * a Redis Cluster (3 masters, 3 replicas), N instances of the built service
 * on it, HAProxy in front; handshakes through the balancer, sockets held on
 * every instance, backend-API push and revoke-all, a rolling restart.
 * Exits 1 when a correctness check fails. Everything it starts is ended.
 */
const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '4' },
    sockets: { type: 'string', default: '60000' },
    clients: { type: 'string', default: '2000' },
    'rate-seconds': { type: 'string', default: '10' },
    'push-seconds': { type: 'string', default: '30' },
    'revoke-users': { type: 'string', default: '100' },
    'settle-seconds': { type: 'string', default: '10' },
    'backoff-max-ms': { type: 'string' },
    json: { type: 'string' },
    'skip-rate': { type: 'boolean', default: false },
    'skip-hold': { type: 'boolean', default: false },
    'skip-push': { type: 'boolean', default: false },
    'skip-revoke': { type: 'boolean', default: false },
    'skip-restart': { type: 'boolean', default: false }
  }
})
const log = (line: string): void => { process.stderr.write(`scale: ${line}\n`) }
const count = (name: keyof typeof args): number => Number(args[name])
const sockets = count('sockets')
const clients = count('clients')
// Every user has the same number of sockets on every instance, at most 10 in all (MAX_SESSIONS_PER_USER stays at 20).
const instances = count('instances')
const users = Math.max(1, Math.ceil(sockets / (instances <= 10 ? instances * Math.floor(10 / instances) : 10)))

async function main (): Promise<ScaleReport> {
  if (HAPROXY_MISSING !== undefined) throw new Error(HAPROXY_MISSING)
  if (clients > BALANCER_MAX_CONNECTIONS - 500) throw new Error(`--clients ${clients}: one HAProxy process holds at most ${BALANCER_MAX_CONNECTIONS} connections here`)
  const report: ScaleReport = { instances, loadAverage: { start: loadavg(), end: [] }, failures: [] }
  const topo = await startTopology(report.instances)
  const balancer = await startHaproxy(topo.instances.map(i => i.port))
  const gens = startGenerators(Math.max(2, Math.ceil(sockets / SOCKETS_PER_GENERATOR)))
  log(`cluster ${topo.clusterNodes}; ${report.instances} instances on ${topo.instances.map(i => i.port).join(', ')}; HAProxy on ${balancer.port}; ${gens.length} client generators`)
  if (!args['skip-rate']) {
    report.rate = await ratePhase(topo, balancer, gens, users, count('rate-seconds'), 16)
    log(`handshakes through HAProxy: ${report.rate.perSecond.toFixed(0)}/s`)
  }
  if (!args['skip-hold']) {
    report.hold = await holdPhase(topo, balancer, gens, sockets, users, count('settle-seconds') * 1000)
    log(`held ${report.hold.opened} sockets (${report.hold.failed} failed), ${report.hold.kbPerSocket.toFixed(1)} KB RSS per socket`)
    if (!args['skip-push']) {
      report.push = await pushPhase(topo, balancer, gens, users, count('push-seconds'), report.hold.idleCores)
      report.failures.push(...report.push.failures)
      log(`pushes: ${report.push.perSecond.toFixed(0)} deliveries/s`)
    }
    if (!args['skip-revoke']) {
      report.revoke = await revokePhase(topo, balancer, gens, users, count('revoke-users'), report.hold.idleCores)
      report.failures.push(...report.revoke.failures)
      log(`revoked ${report.revoke.users} users, ${report.revoke.closes} sockets closed`)
    }
    await Promise.all(gens.map(async g => await g.ask({ kind: 'release' })))
    report.released = await releasePhase(topo, report.hold.opened)
    if (report.released.left > 0) report.failures.push(`${report.released.left} sessions of the ${report.hold.opened} released sockets still in the store after 120 s`)
  }
  if (!args['skip-restart']) {
    const backoff = args['backoff-max-ms'] === undefined ? undefined : Number(args['backoff-max-ms'])
    report.restart = await restartPhase(topo, balancer, gens, clients, backoff)
    report.failures.push(...restartFailures(report.restart))
  }
  report.loadAverage.end = loadavg()
  return report
}

let status = 1
try {
  const report = await main()
  const table = scaleTable(report)
  process.stdout.write(`\n${table}\n\n`)
  mkdirSync('bench/results', { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  writeFileSync(`bench/results/scale-${stamp}.md`, `${table}\n`)
  writeFileSync(`bench/results/scale-${stamp}.json`, JSON.stringify(report, null, 2))
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(report, null, 2))
  status = report.failures.length === 0 ? 0 : 1
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
} finally {
  await cleanup.run()
}
process.exit(status)
