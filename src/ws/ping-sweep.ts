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

/** One socket's heartbeat: ping it, or terminate it when it has not answered the previous ping. */
function sweepPing (socket: WebSocket): void {
  // Not read while its upstream drains (gateway backpressure): its pong could not be seen.
  if (socket.isPaused) return
  if (missedPong.has(socket)) {
    socket.terminate()
    return
  }
  missedPong.add(socket)
  socket.ping()
}

/**
 * The heartbeat spread over its interval: a pass over the sockets takes
 * `ticks` ticks, each pinging its share, so each socket is pinged once per
 * pass and no tick holds the event loop for them all. One pass at once
 * stalled an instance with 5,000 sockets for 1.4 s under load, long enough
 * for a balancer's health check to take it out, and instances started
 * together went out together. Sockets that join during a pass are swept by
 * its last tick (the Set iterates in insertion order, new ones last).
 */
export class SpreadSweep {
  private pass: Iterator<WebSocket> = [].values()
  private tickOfPass = 0
  private size = 0
  private swept = 0

  constructor (private readonly sockets: Set<WebSocket>, private readonly ticks: number) {}

  tick (): void {
    if (this.tickOfPass === 0) {
      this.pass = this.sockets.values()
      this.size = this.sockets.size
      this.swept = 0
    }
    this.tickOfPass++
    const last = this.tickOfPass === this.ticks
    const due = last ? Infinity : Math.ceil(this.size * this.tickOfPass / this.ticks)
    for (; this.swept < due; this.swept++) {
      const next = this.pass.next()
      if (next.done === true) break
      sweepPing(next.value)
    }
    if (last) this.tickOfPass = 0
  }
}
