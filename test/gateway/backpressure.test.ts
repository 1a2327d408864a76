import t, { type Test as Tap } from 'tap'
import WebSocket from 'ws'
import { startGateway, startUpstream, through, type Peer } from './support.js'

const MAX_BUFFERED_BYTES = 256 * 1024
/** A sender's own queue this long proves the service stopped reading it (the kernel buffers in between are full). */
const SENDER_BACKLOG = 4 * 1024 * 1024
const PAD = 'x'.repeat(16 * 1024)
const frame = (n: number) => `{"type":"flood","n":${n},"pad":"${PAD}"}`

/** The most bytes each socket of this process had queued right after a send: the service's sockets among them. */
function watchQueues (t: Tap): Map<WebSocket, number> {
  const peaks = new Map<WebSocket, number>()
  const send = WebSocket.prototype.send
  WebSocket.prototype.send = function (this: WebSocket, ...args: unknown[]) {
    (send as (...a: unknown[]) => void).apply(this, args)
    peaks.set(this, Math.max(peaks.get(this) ?? 0, this.bufferedAmount))
  } as WebSocket['send']
  t.teardown(() => { WebSocket.prototype.send = send })
  return peaks
}

/** Send numbered frames until the sender's own queue shows the other end stopped reading; returns how many. */
async function flood (sender: Peer): Promise<number> {
  let n = 0
  while (sender.socket.bufferedAmount < SENDER_BACKLOG) {
    sender.send(frame(n++))
    if (n % 32 === 0) await new Promise(resolve => setImmediate(resolve))
    if (n > 40_000) throw new Error('the service kept reading: no backpressure')
  }
  return n
}

async function receivesAll (t: Tap, reader: Peer, count: number): Promise<void> {
  reader.socket.resume()
  for (let n = 0; n < count; n++) {
    const { text } = await reader.next(20_000)
    if (text !== frame(n)) {
      t.fail(`frame ${n} out of order or changed`)
      return
    }
  }
  t.pass(`all ${count} frames arrived in order once it read again`)
}

t.test('gateway › a client that does not read pauses the upstream: the service queues at most MAX_BUFFERED_BYTES for it', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url, { MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES) })
  const [client, peer] = await through(app, ws, upstream)
  const peaks = watchQueues(t)
  client.socket.pause()
  const sent = await flood(peer)
  const [serviceSide] = app.websocketServer.clients
  t.ok((peaks.get(serviceSide) ?? 0) > 0, 'the service did queue toward the client')
  t.ok((peaks.get(serviceSide) as number) <= MAX_BUFFERED_BYTES, `queued toward the client peaked at ${String(peaks.get(serviceSide))} bytes`)
  t.equal(serviceSide.readyState, WebSocket.OPEN, 'a slow client is paused, not terminated')
  await receivesAll(t, client, sent)
})

t.test('gateway › an upstream that does not read pauses the client: the service queues at most MAX_BUFFERED_BYTES for it', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url, { MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES), MESSAGE_RATE_LIMIT: '1000000' })
  const [client, peer] = await through(app, ws, upstream)
  const peaks = watchQueues(t)
  peer.socket.pause()
  const sent = await flood(client)
  const toUpstream = [...peaks].filter(([socket]) => socket.url?.startsWith(upstream.url))
  t.equal(toUpstream.length, 1, 'the service\'s upstream socket')
  t.ok(toUpstream[0][1] <= MAX_BUFFERED_BYTES, `queued toward the upstream peaked at ${toUpstream[0][1]} bytes`)
  await receivesAll(t, peer, sent)
})
