import type { Test } from 'tap'
import { failoverSuite, type Topology } from '../support/failover.js'
import { startCluster } from '../support/redis.js'
import { hasReplicas, replication, settled, until } from '../support/redis-replication.js'

/**
 * §8 through a Redis Cluster failover: 3 masters with a replica each; one
 * master is SIGKILLed in the middle of a burst of authentications, its replica
 * takes over its slots, and the killed node comes back as the new master's
 * replica (with one replica per master, WAIT 1 needs it back). With
 * REDIS_WAIT_REPLICAS=1 no ticket that authenticated authenticates again.
 */
async function clusterTopology (t: Test): Promise<Topology> {
  const { nodes, addresses } = await startCluster(t, { replicas: 1, nodeTimeoutMs: 1000 })
  const roles = await Promise.all(nodes.map(async node => await replication(node.port)))
  const masters = nodes.filter((_, i) => roles[i]?.role === 'master')
  await until('every master to have its replica in sync', async () =>
    (await Promise.all(masters.map(async m => await hasReplicas(m.port, 1)))).every(Boolean))
  const victim = masters[0]
  const heir = Number(/port=(\d+)/.exec((await replication(victim.port))?.slave0 ?? '')?.[1])
  return {
    env: { REDIS_CLUSTER_NODES: addresses },
    settle: async () => { await Promise.all(masters.map(async m => { await settled(m.port) })) },
    kill: async () => { await victim.stop() },
    recovered: async () => {
      await until('the replica to take over the slots', async () => (await replication(heir))?.role === 'master')
      await victim.start()
      await until('the old master to come back as its replica', async () => await hasReplicas(heir, 1))
    }
  }
}

failoverSuite('cluster', clusterTopology)
