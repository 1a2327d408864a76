import type { WebSocket } from 'ws'

/**
 * Queue a frame on an open socket unless its peer has stopped reading: once
 * more than `maxBufferedBytes` wait in the socket's send buffer it is
 * terminated (no close frame, which would only queue behind the rest), so a
 * client that never reads cannot grow the server's memory. False when terminated.
 */
export function sendBounded (socket: WebSocket, payload: string, maxBufferedBytes: number): boolean {
  socket.send(payload)
  if (socket.bufferedAmount <= maxBufferedBytes) return true
  socket.terminate()
  return false
}
