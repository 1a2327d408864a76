import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { Redis } from 'ioredis'
import { loadConfig } from '../src/config.js'
import { createStore } from '../src/stores/index.js'
import type { Store } from '../src/stores/types.js'
import { median, percentile } from './lib/stats.js'

/**
 * `node dist/bench/presence.js [redis://…]`: presence of 100 users
 * (1 to 3 live sessions each) against one Redis, two ways in the same run, in
 * alternating rounds: one listing per user (how presence counted before
 * `countUserSessions`) and the batched count. Reports per call the median and
 * p99 latency, this process's CPU and the Redis server's CPU (INFO cpu).
 */
const url = process.argv[2] ?? 'redis://127.0.0.1:6379'
const USERS = 100
const CALLS = 200
const ROUNDS = 3

const store = await createStore(loadConfig({ NODE_ENV: 'development', REDIS_URL: url, REDIS_KEY_PREFIX: `bench-${randomBytes(4).toString('hex')}:` }))
const admin = new Redis(url)
const userIds = Array.from({ length: USERS }, (_, i) => `presence-${i}`)
for (const [i, userId] of userIds.entries()) {
  for (let n = 0; n <= i % 3; n++) {
    const sessionId = `session_${randomBytes(16).toString('hex')}`
    const now = new Date()
    await store.createSession({
      sessionId, userId, entityId: 'e', entityType: 'BRAND', chatServerKey: 'k', authenticatedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3_600_000).toISOString()
    }, { maxPerUser: 10, leaseMs: 3_600_000 })
  }
}

const ways: Record<string, (s: Store) => Promise<number[]>> = {
  'one listing per user': async s => await Promise.all(userIds.map(async id => (await s.listSessions(id)).length)),
  countUserSessions: async s => await s.countUserSessions(userIds)
}

async function redisCpuMs (): Promise<number> {
  const info = await admin.info('cpu')
  const seconds = ['used_cpu_sys', 'used_cpu_user'].map(name => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]))
  return (seconds[0] + seconds[1]) * 1000
}

const samples: Record<string, { ms: number[], cpu: number[], redisCpu: number[] }> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, way] of Object.entries(ways)) {
    const into = samples[name] ??= { ms: [], cpu: [], redisCpu: [] }
    const redisBefore = await redisCpuMs()
    const cpuBefore = process.cpuUsage()
    for (let i = 0; i < CALLS; i++) {
      const start = performance.now()
      const counts = await way(store)
      into.ms.push(performance.now() - start)
      if (counts[2] !== 3) throw new Error(`${name} miscounted: ${String(counts[2])}`)
    }
    const cpu = process.cpuUsage(cpuBefore)
    into.cpu.push((cpu.user + cpu.system) / 1000 / CALLS)
    into.redisCpu.push((await redisCpuMs() - redisBefore) / CALLS)
  }
}
process.stdout.write(`presence of ${USERS} users, ${CALLS} calls × ${ROUNDS} rounds each; load average ${loadavg().map(l => l.toFixed(2)).join(' ')}\n`)
process.stdout.write('| way | median ms | p99 ms | service CPU ms/call | Redis CPU ms/call |\n|---|---|---|---|---|\n')
for (const [name, s] of Object.entries(samples)) {
  process.stdout.write(`| ${name} | ${median(s.ms).toFixed(2)} | ${percentile([...s.ms].sort((a, b) => a - b), 99).toFixed(2)} | ${median(s.cpu).toFixed(2)} | ${median(s.redisCpu).toFixed(2)} |\n`)
}
admin.disconnect()
await store.close()
