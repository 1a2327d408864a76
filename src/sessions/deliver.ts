import { isoNow } from '../protocol/clock.js'

/**
 * The frame a pushed message becomes (PROTOCOL.md §6): the message unchanged,
 * with `timestamp` added when it has none. Plain JSON, not a schema serializer:
 * a backend's message may carry fields no schema of ours knows.
 */
export function deliveryFrame (message: { type: string, timestamp?: unknown }): string {
  return JSON.stringify(message.timestamp === undefined ? { ...message, timestamp: isoNow() } : message)
}

/** The size of a message as it is checked against MAX_MESSAGE_BYTES: its compact JSON. */
export const messageBytes = (message: unknown): number => Buffer.byteLength(JSON.stringify(message))
