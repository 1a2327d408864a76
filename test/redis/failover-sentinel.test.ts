import type { Test } from 'tap'
import { failoverSuite, type Topology } from '../support/failover.js'
import { PROMOTION_DEADLINE_MS, hasReplicas, settled, startSentinelGroup, until } from '../support/redis-replication.js'

/**
 * §8 through a Sentinel failover: a master with two replicas (replication
 * lagging 20 ms each way through a proxy) and three sentinels; the master is
 * SIGKILLed in the middle of a burst of authentications, with the replication
 * still in flight lost. With REDIS_WAIT_REPLICAS=1 no ticket that
 * authenticated authenticates again; with 0 the replays are counted.
 */
async function sentinelTopology (t: Test): Promise<Topology> {
  const group = await startSentinelGroup(t, { replicationDelayMs: 20 })
  const old = group.master.port
  return {
    env: group.env,
    settle: async () => { await settled(old) },
    kill: async () => {
      await group.cutReplication()
      await group.master.stop()
    },
    recovered: async () => {
      await until('a sentinel to promote a replica', async () => await group.masterPort().catch(() => old) !== old, PROMOTION_DEADLINE_MS)
      await until('the other replica to attach to the new master', async () => await hasReplicas(await group.masterPort(), 1))
    }
  }
}

failoverSuite('sentinel', sentinelTopology)
