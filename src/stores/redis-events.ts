import { createProbes } from './event-health.js'
import { duplicate, watchConnection, type RedisClient, type StoreLogger } from './redis-client.js'
import type { StoreEvent } from './types.js'

function parse (message: string): unknown {
  try {
    return JSON.parse(message)
  } catch {
    return undefined
  }
}

/** An event published by an instance, or undefined for anything else found on the channel. */
function asEvent (value: unknown): StoreEvent | undefined {
  const kind = typeof value === 'object' && value !== null ? (value as StoreEvent).kind : undefined
  return kind === 'revoke' || kind === 'deliver' ? value as StoreEvent : undefined
}

/**
 * Store events over Redis pub/sub: one plain channel (on a Cluster, PUBLISH
 * reaches every node, so any node serves the subscription) and a duplicated
 * connection for it. The subscription is renewed on every `ready`, so an
 * instance hears events again as soon as Redis is back. Pub/sub is
 * at-most-once: an event published while an instance is disconnected is not
 * replayed to it.
 */
export function createEventChannel (client: RedisClient, channel: string, log: StoreLogger) {
  const listeners = new Set<(event: StoreEvent) => void>()
  const probes = createProbes()
  // RESP2: Redis counts a RESP3 subscriber as a normal client, so the pubsub output-buffer limit
  // would not bound it, and CLIENT LIST/KILL TYPE pubsub (what operators reach for) would miss it.
  const subscriber = duplicate(client, 2)
  watchConnection(subscriber, log, 'events')
  let subscribed: Promise<unknown> = Promise.resolve()
  subscriber.on('ready', () => {
    subscribed = subscriber.subscribe(channel).catch((err: Error) => { log.warn({ err: err.message }, 'redis events: subscribe failed') })
  })
  subscriber.on('message', (_channel: string, message: string) => {
    const value = parse(message)
    if (probes.receive(value)) return
    const event = asEvent(value)
    if (event === undefined) return log.warn({}, 'redis events: ignored a malformed message')
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'redis events: a listener failed')
      }
    }
  })

  return {
    subscriber,
    /** Resolves when the latest subscription was confirmed (or failed and was logged). */
    subscribed: async () => { await subscribed },
    listen: (listener: (event: StoreEvent) => void) => { listeners.add(listener) },
    publish: async (event: StoreEvent) => await client.publish(channel, JSON.stringify(event)),
    /** A probe published through the command connection must come back through the subscriber (reconnected if not). */
    roundTrip: async () => {
      await probes.roundTrip(async probe => await client.publish(channel, JSON.stringify(probe)), () => {
        log.warn({}, 'redis events: a published event did not come back; reconnecting the subscriber')
        subscriber.disconnect(true)
      })
    },
    clear: () => { listeners.clear() }
  }
}
