import type { WebSocket } from 'ws'

/**
 * A peer that stops reading is terminated once `maxBufferedBytes` wait, so it
 * cannot grow the server's memory; no close frame, which would only queue
 * behind the rest. False when terminated.
 */
export function sendBounded (socket: WebSocket, payload: string, maxBufferedBytes: number): boolean {
  socket.send(payload)
  if (socket.bufferedAmount <= maxBufferedBytes) return true
  socket.terminate()
  return false
}
