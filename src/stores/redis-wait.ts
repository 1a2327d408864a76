import { duplicate, watchConnection, type RedisClient } from './redis-client.js'
import { defineScripts, type ConsumeArgs } from './redis-scripts.js'
import { ConsumeUnconfirmedError, type StoreLogger } from './types.js'

/** REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS (§8). */
export interface WaitOptions {
  replicas: number
  timeoutMs: number
}

type Consumed = [string, string?, string?]

/**
 * A ticket consume that counts only once `replicas` replicas hold it. The
 * consume script and `WAIT` leave in one pipeline on one connection: WAIT
 * counts the acknowledgements of every write this connection made before it,
 * so it must run where the script ran (on a Cluster the pipeline is routed by
 * the ticket's key, so both reach the node owning its slot, and a MOVED resends
 * both). Costs one replica round trip, no extra client round trip.
 *
 * `connection` should carry nothing else: WAIT blocks its connection until the
 * replicas answer, so shared traffic would queue behind it.
 */
export function acknowledgedConsume (connection: RedisClient, wait: WaitOptions) {
  return async (...args: ConsumeArgs): Promise<Consumed> => {
    const replies = await connection.pipeline()
      .wsauthConsume(...args)
      .wait(wait.replicas, wait.timeoutMs)
      .exec() as Array<[Error | null, unknown]>
    const [[consumeError, consumed], [waitError, acks]] = replies
    if (consumeError !== null) throw consumeError
    const result = consumed as Consumed
    // A refusal needs no durability: only a redemption must survive a failover.
    if (result[0] !== 'ok') return result
    if (waitError !== null || (acks as number) < wait.replicas) {
      const seen = waitError === null ? `${String(acks)} of ${wait.replicas}` : `none (${waitError.message})`
      throw new ConsumeUnconfirmedError(`ticket consumed but acknowledged by ${seen} replicas within ${wait.timeoutMs} ms`)
    }
    return result
  }
}

/** On the consume's own connection: Redis runs one connection's commands in order, so a give-back never overtakes its consume. */
const releaseOn = (connection: RedisClient) =>
  async (ticketKey: string, consumeId: string): Promise<number> => await connection.wsauthRelease(ticketKey, consumeId)

/**
 * The consume the store uses: the plain script on the shared connection, or
 * with REDIS_WAIT_REPLICAS ≥ 1 the acknowledged one on a connection of its own.
 */
export function createConsume (client: RedisClient, wait: WaitOptions, log: StoreLogger) {
  if (wait.replicas === 0) {
    return { connections: [], consume: async (...args: ConsumeArgs) => await client.wsauthConsume(...args), release: releaseOn(client) }
  }
  const connection = duplicate(client)
  defineScripts(connection)
  watchConnection(connection, log, 'consumes')
  return { connections: [connection], consume: acknowledgedConsume(connection, wait), release: releaseOn(connection) }
}
