import type { WebSocket } from 'ws'
import type { FastifyBaseLogger } from 'fastify'

/**
 * Queue a frame on an open socket unless its peer has stopped reading: once
 * more than `maxBufferedBytes` wait in the socket's send buffer it is
 * terminated (no close frame, which would only queue behind the rest), so a
 * client that never reads cannot grow the server's memory. False when terminated.
 */
export function sendBounded (socket: WebSocket, payload: string, maxBufferedBytes: number, log: FastifyBaseLogger): boolean {
  socket.send(payload)
  const buffered = socket.bufferedAmount
  if (buffered <= maxBufferedBytes) return true
  log.warn({ bufferedBytes: buffered }, 'slow consumer: socket terminated')
  socket.terminate()
  return false
}
