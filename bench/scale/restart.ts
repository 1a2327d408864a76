import { makeUsers } from '../lib/wire.js'
import { ranges, type Generator } from './fleet.js'
import type { Balancer } from './haproxy.js'
import { nowMs } from './held.js'
import { until } from './phases.js'
import { storeSessions } from './store-check.js'
import type { Topology } from './topology.js'

interface FleetStatus { open: number, failed: string[], sessionIds: string[], doubles: number, redemptions: number, sampleTickets: string[] }

async function fleetStatus (gens: Generator[], sample = 0): Promise<FleetStatus> {
  const parts = await Promise.all(gens.map(async g => await g.ask<FleetStatus>({ kind: 'sdk-status', sample })))
  return {
    open: parts.reduce((n, p) => n + p.open, 0),
    failed: parts.flatMap(p => p.failed),
    sessionIds: parts.flatMap(p => p.sessionIds),
    doubles: parts.reduce((n, p) => n + p.doubles, 0),
    redemptions: parts.reduce((n, p) => n + p.redemptions, 0),
    sampleTickets: parts.flatMap(p => p.sampleTickets)
  }
}

/** The store's sessions of these users against the clients' live sessions, once they agree or at the deadline. */
async function orphanCheck (topo: Topology, userIds: string[], live: Set<string>) {
  let last = { orphaned: 0, missing: 0, sessionKeys: 0, live: live.size }
  await until(async () => {
    const { indexed, sessionKeys } = await storeSessions(topo.clusterNodes, topo.keyPrefix, userIds)
    const listed = new Set(indexed)
    last = { orphaned: indexed.filter(id => !live.has(id)).length, missing: [...live].filter(id => !listed.has(id)).length, sessionKeys, live: live.size }
    return last.orphaned === 0 && last.missing === 0 && sessionKeys === live.size ? true : undefined
  }, 15_000)
  return last
}

/**
 * Rolling restart behind the balancer: `clients` SDK clients (one user each)
 * connect through it; each instance in turn gets SIGTERM, exits, and is
 * started again once every client is back; the next one waits until HAProxy
 * has the restarted one up. Then: every client authenticated, no ticket
 * redeemed twice (counted by the clients, and a sample of spent tickets
 * replayed through the balancer), the store's sessions exactly the live ones.
 */
export async function restartPhase (topo: Topology, balancer: Balancer, gens: Generator[], clients: number, backoffMaxMs?: number) {
  const users = makeUsers(clients, 'sdk-user-').map(u => u.userId)
  await Promise.all(ranges(clients, gens.length).map(async ([from, to], k) =>
    await gens[k].ask({ kind: 'sdk-start', port: balancer.port, users: clients, from, to, backoffMaxMs })))
  const restarts = []
  for (const [i, instance] of topo.instances.entries()) {
    const { connections } = await balancer.server(i)
    const before = (await fleetStatus(gens)).redemptions
    const sigterm = nowMs()
    const exitCode = await instance.stop()
    const drainedMs = nowMs() - sigterm
    const back = await until(async () => (await fleetStatus(gens)).open === clients ? nowMs() : undefined, 60_000)
    await instance.start()
    const reauthenticated = (await fleetStatus(gens)).redemptions - before
    const rejoined = await until(async () => (await balancer.server(i)).up ? true : undefined, 15_000)
    restarts.push({ instance: i + 1, connections, reauthenticated, exitCode, drainedMs, backMs: back === undefined ? undefined : back - sigterm, rejoined: rejoined === true })
  }
  const final = await fleetStatus(gens, 50)
  const replayed = await gens[0].ask<{ accepted: number, codes: Record<string, number> }>({ kind: 'replay', port: balancer.port, tickets: final.sampleTickets })
  const store = await orphanCheck(topo, users, new Set(final.sessionIds))
  await Promise.all(gens.map(async g => await g.ask({ kind: 'sdk-close' })))
  return { clients, restarts, open: final.open, failed: final.failed, redemptions: final.redemptions, doubles: final.doubles, replay: { tried: final.sampleTickets.length, ...replayed }, store }
}

export type RestartResult = Awaited<ReturnType<typeof restartPhase>>

/** The correctness verdicts of a rolling restart: empty when everything held. */
export function restartFailures (r: RestartResult): string[] {
  return [
    ...r.restarts.filter(x => x.exitCode !== 0).map(x => `instance ${x.instance} exited with code ${String(x.exitCode)} on SIGTERM`),
    ...r.restarts.filter(x => x.backMs === undefined).map(x => `after instance ${x.instance}'s restart not every client was back within 60 s`),
    ...r.restarts.filter(x => !x.rejoined).map(x => `instance ${x.instance} was not back in the balancer within 15 s`),
    ...(r.open === r.clients ? [] : [`${r.clients - r.open} of ${r.clients} clients not authenticated at the end (failed: ${r.failed.join(', ') || 'none'})`]),
    ...(r.doubles === 0 ? [] : [`${r.doubles} tickets redeemed twice`]),
    ...(r.replay.accepted === 0 ? [] : [`${r.replay.accepted} of ${r.replay.tried} replayed spent tickets were accepted`]),
    ...(r.store.orphaned === 0 ? [] : [`${r.store.orphaned} orphaned sessions in the store's index`]),
    ...(r.store.missing === 0 ? [] : [`${r.store.missing} live sessions missing from the store's index`]),
    ...(r.store.sessionKeys === r.store.live ? [] : [`${r.store.sessionKeys} session keys in the store for ${r.store.live} live sessions`])
  ]
}
