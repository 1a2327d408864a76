import type { WebSocket } from 'ws'

// A socket that has not answered the previous ping by the next sweep is dead.
const missedPong = new WeakSet<WebSocket>()

/** Shared by every socket (`this` is the socket): no closure per connection. */
function onPong (this: WebSocket): void {
  missedPong.delete(this)
}

/** Count the socket's pongs from now on. */
export function watchPongs (socket: WebSocket): void {
  socket.on('pong', onPong)
}

/**
 * One heartbeat round for every socket on one timer: ping each, terminating one
 * that has not answered the previous ping.
 */
export function sweepPings (sockets: Iterable<WebSocket>): void {
  for (const socket of sockets) {
    // Not read while its upstream drains (gateway backpressure): its pong could not be seen.
    if (socket.isPaused) continue
    if (missedPong.has(socket)) {
      socket.terminate()
      continue
    }
    missedPong.add(socket)
    socket.ping()
  }
}
