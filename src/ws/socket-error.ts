import type { FastifyBaseLogger } from 'fastify'

/** A socket error: ws closes the socket itself (an oversized frame closes 1009); terminating here would drop that frame. */
export function onSocketError (error: Error, log: FastifyBaseLogger): void {
  log.debug({ err: error }, 'websocket error')
}
