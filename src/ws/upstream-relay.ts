import WebSocket, { type RawData } from 'ws'
import type { UpstreamMetrics } from '../upstream-metrics.js'

const { OPEN } = WebSocket

/** Upstream close codes the client gets as they are; any other end of the upstream is UPSTREAM_UNAVAILABLE (PROTOCOL.md §7). */
export const passesThrough = (code: number): boolean => code === 1000 || code === 1001 || (code >= 4000 && code <= 4999)

// ws keeps whether the peer's close came in without a public accessor (see watchServiceCloses for why it is needed).
const closeFrameReceived = (socket: WebSocket): boolean => (socket as unknown as { _closeFrameReceived: boolean })._closeFrameReceived

export interface RelayDeps {
  metrics: UpstreamMetrics
  /** Bytes queued toward one side past which the other side is not read until it drains. */
  highWater: number
}

/** How the relay fails its client: the Connection's error rule (UPSTREAM_UNAVAILABLE closes 1014). */
export interface RelayClient {
  error: (code: 'UPSTREAM_UNAVAILABLE') => undefined
}

/**
 * One session's two sockets: frames copied unchanged both ways, a side that
 * does not read pausing the other, and each side's end passed on to the other.
 */
export class UpstreamRelay {
  private upstream: WebSocket | undefined
  private toUpstreamFlow: Flow | undefined
  private toClientFlow: Flow | undefined
  /** The code the client's connection ended with; the upstream is closed with the same one. */
  private ended: number | undefined

  constructor (private readonly client: WebSocket, private readonly peer: RelayClient, private readonly deps: RelayDeps) {
    watchServiceCloses(client, (code, reason) => { this.clientEnded(code, reason) })
    // After a close of the service's this changes nothing: the code was taken then.
    client.once('close', () => { this.clientEnded(1000) })
  }

  /** The accepted upstream, paused until `start`; closed at once when the client's connection ended meanwhile. */
  attach (upstream: WebSocket): void {
    this.upstream = upstream
    this.toUpstreamFlow = new Flow(this.client, upstream, this.deps.highWater)
    this.toClientFlow = new Flow(upstream, this.client, this.deps.highWater)
    upstream.on('message', (data, isBinary) => { this.toClient(data as Buffer, isBinary) })
    upstream.once('close', (code, reason) => { this.upstreamEnded(code, reason.toString()) })
    if (this.ended !== undefined) this.closeUpstream(this.ended)
  }

  start (): void {
    this.upstream?.resume()
  }

  toUpstream (frame: RawData): void {
    if ((this.upstream as WebSocket).readyState !== OPEN) return
    (this.toUpstreamFlow as Flow).pass(frame as Buffer, TEXT)
    this.deps.metrics.relayed('to_upstream')
  }

  private toClient (data: Buffer, isBinary: boolean): void {
    if (this.client.readyState !== OPEN) return
    (this.toClientFlow as Flow).pass(data, isBinary ? BINARY : TEXT)
    this.deps.metrics.relayed('to_client')
  }

  private clientEnded (code: number, reason?: string | Buffer): void {
    this.ended ??= code
    this.closeUpstream(this.ended, reason)
  }

  private closeUpstream (code: number, reason?: string | Buffer): void {
    const upstream = this.upstream
    if (upstream?.readyState !== OPEN) return
    upstream.close(code, reason)
    // Read again, or the upstream's answer to the close would wait in a paused socket.
    upstream.resume()
  }

  private upstreamEnded (code: number, reason: string): void {
    this.deps.metrics.upstreamClosed()
    if (this.client.readyState !== OPEN) return
    if (passesThrough(code)) this.client.close(code, reason)
    else this.peer.error('UPSTREAM_UNAVAILABLE')
  }
}

// Made once, not per frame; nothing relayed is compressed (perMessageDeflate is off on both sides).
const TEXT = { binary: false, compress: false }
const BINARY = { binary: true, compress: false }

/**
 * One direction of the relay. A frame that takes what is queued toward `writer`
 * past the high-water mark stops `reader` until it is written out, and with it
 * everything queued before it: ws's public send callback, no private stream's `drain`.
 */
class Flow {
  /** Frames sent past the mark and not yet written out; reading resumes when none is left. */
  private held = 0
  private readonly written = (): void => { if (--this.held === 0) this.reader.resume() }

  constructor (private readonly reader: WebSocket, private readonly writer: WebSocket, private readonly highWater: number) {}

  pass (data: Buffer, options: typeof TEXT): void {
    // Paused by someone else (the Connection holding frames behind a refresh): theirs to resume, not ours.
    if (this.writer.bufferedAmount + data.length <= this.highWater || (this.held === 0 && this.reader.isPaused)) {
      this.writer.send(data, options)
      return
    }
    this.held++
    this.reader.pause()
    this.writer.send(data, options, this.written)
  }
}

/**
 * Every close the service gives the client goes through the socket's own `close` or `terminate`: both report the code first.
 * ws has no public hook for this: its `close` event comes only after the client's close handshake (up to 30 s for a dead
 * client) and carries the client's echo, and its own closes (1009 on an oversized frame) call the instance's `close`.
 */
function watchServiceCloses (socket: WebSocket, closing: (code: number, reason?: string | Buffer) => void): void {
  const { close, terminate } = socket
  socket.close = (code?: number, reason?: string | Buffer) => {
    // ws answers the client's own close frame through close() too: that end is the client's, not the service's.
    if (socket.readyState === OPEN && !closeFrameReceived(socket)) closing(code ?? 1000, reason)
    close.call(socket, code, reason)
  }
  socket.terminate = () => {
    // A client that stopped answering pings or reading: the upstream hears 1001.
    closing(1001)
    terminate.call(socket)
  }
}
