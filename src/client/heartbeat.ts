/**
 * Application-level heartbeat: browsers cannot send WebSocket pings, and a
 * dead link may not close for minutes. A pong missing by the next beat
 * declares the connection dead.
 */
export class Heartbeat {
  /** Round trip of the last answered ping, in ms. */
  rttMs: number | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private awaiting = false

  start (everyMs: number, send: (frame: string) => void, dead: () => void): void {
    this.awaiting = false
    if (everyMs <= 0) return
    this.timer = setInterval(() => {
      if (this.awaiting) return dead()
      this.awaiting = true
      send(JSON.stringify({ type: 'heartbeat_ping', timestamp: new Date().toISOString(), pingTime: Date.now() }))
    }, everyMs)
  }

  pong (pingTime: unknown): void {
    this.awaiting = false
    if (typeof pingTime === 'number') this.rttMs = Date.now() - pingTime
  }

  stop (): void {
    clearInterval(this.timer)
  }
}
