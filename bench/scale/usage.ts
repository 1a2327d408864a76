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

/** The change between two readings, divided by `per` (operations, sockets, …). */
export function perUnit (before: Usage, after: Usage, per: number): Usage {
  return {
    instancesCpu: (after.instancesCpu - before.instancesCpu) / per,
    redisCpu: (after.redisCpu - before.redisCpu) / per,
    haproxyCpu: (after.haproxyCpu - before.haproxyCpu) / per,
    redisMemory: (after.redisMemory - before.redisMemory) / per
  }
}
