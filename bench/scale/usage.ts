import { spawnSync } from 'node:child_process'
import { cpuSeconds } from '../lib/proc.js'
import type { Topology } from './topology.js'

/** What the server side has used so far: CPU seconds of the instances, Redis (every node) and HAProxy; bytes Redis's masters hold. */
export interface Usage { instancesCpu: number, redisCpu: number, haproxyCpu: number, redisMemory: number }

function info (address: string, section: string): string {
  const [host, port] = address.split(':')
  return spawnSync('redis-cli', ['-h', host, '-p', port, 'info', section], { encoding: 'utf8' }).stdout ?? ''
}
const field = (text: string, name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim()

/** Read it now. The instances are read by their current pid, so a window must not span a restart. */
export function usage (topo: Topology, haproxyPid: number): Usage {
  const nodes = topo.clusterNodes.split(',')
  const servers = nodes.map(address => info(address, 'server'))
  const memories = nodes.map(address => info(address, 'memory'))
  const replication = nodes.map(address => info(address, 'replication'))
  return {
    instancesCpu: topo.instances.reduce((sum, i) => sum + cpuSeconds(i.pid), 0),
    redisCpu: servers.reduce((sum, s) => sum + cpuSeconds(Number(field(s, 'process_id'))), 0),
    haproxyCpu: cpuSeconds(haproxyPid),
    redisMemory: memories.reduce((sum, m, i) => sum + (field(replication[i], 'role') === 'master' ? Number(field(m, 'used_memory')) : 0), 0)
  }
}

const KEYS = ['instancesCpu', 'redisCpu', 'haproxyCpu', 'redisMemory'] as const

/**
 * The change between two readings divided by `per` (operations, sockets, seconds, …);
 * given a second pair of readings, how much more the second pair's change per `per`
 * was, divided by `extra` (e.g. the CPU rate added by `extra` more sockets).
 */
export function perUnit (before: Usage, after: Usage, per: number, before2?: Usage, after2?: Usage, extra = 1): Usage {
  const rate = (b: Usage, a: Usage, key: typeof KEYS[number]): number => (a[key] - b[key]) / per
  return Object.fromEntries(KEYS.map(key => [key, before2 === undefined || after2 === undefined
    ? rate(before, after, key)
    : (rate(before2, after2, key) - rate(before, after, key)) / extra])) as unknown as Usage
}

/**
 * A reading taken `seconds` after another, less the CPU that the servers'
 * rate at rest (`idle`, cores per key, as holdPhase's `idleCores`) spent over
 * them: what an operation cost above the held sockets' heartbeats and timers.
 */
export function lessIdle (after: Usage, idle: Usage, seconds: number): Usage {
  return { ...after, instancesCpu: after.instancesCpu - idle.instancesCpu * seconds, redisCpu: after.redisCpu - idle.redisCpu * seconds, haproxyCpu: after.haproxyCpu - idle.haproxyCpu * seconds }
}
