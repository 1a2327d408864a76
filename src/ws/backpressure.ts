import type { WebSocket } from 'ws'

// A Buffer, sent as text: ws then writes two Buffers, and Node's writev takes its
// all-Buffers path instead of encoding a string into a fresh backing store per frame.
const TEXT = { binary: false }

/**
 * A peer that stops reading is terminated once `maxBufferedBytes` wait, so it
 * cannot grow the server's memory; no close frame, which would only queue
 * behind the rest. False when terminated.
 */
export function sendBounded (socket: WebSocket, payload: string, maxBufferedBytes: number): boolean {
  socket.send(Buffer.from(payload), TEXT)
  if (socket.bufferedAmount <= maxBufferedBytes) return true
  socket.terminate()
  return false
}
