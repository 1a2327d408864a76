import t, { type Test as Tap } from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import { SpreadSweep, watchPongs } from '../../src/ws/ping-sweep.js'
import { startUpstream } from '../gateway/support.js'
import { until } from '../support/wait.js'

/** One whole pass at once, as a sweep of one tick does. */
const sweepPings = (sockets: WebSocket[]): void => { new SpreadSweep(new Set(sockets), 1).tick() }

/** A real connection: the service's end (pongs watched, as the plugin does) and the far end, counting its pings. */
async function connection (t: Tap, options: WebSocket.ClientOptions = {}) {
  const server = await startUpstream(t)
  const far = new WebSocket(server.url, options)
  const socket = (await server.next()).socket
  watchPongs(socket)
  const pinged = { count: 0 }
  far.on('ping', () => { pinged.count++ })
  await once(far, 'open')
  return { socket, far, pinged }
}

t.test('ping sweep › a socket whose reading is paused is neither pinged nor terminated', async t => {
  const { socket, far, pinged } = await connection(t, { autoPong: false })
  socket.pause()
  sweepPings([socket])
  sweepPings([socket])
  t.equal(socket.readyState, WebSocket.OPEN, 'not terminated, though it never answers')
  socket.resume()
  sweepPings([socket])
  await once(far, 'ping')
  // Frames arrive in order: a ping from the paused sweeps would have come first.
  t.equal(pinged.count, 1, 'the first ping is the one after resume')
})

t.test('ping sweep › an answered ping keeps the socket; an unanswered one terminates it at the next sweep', async t => {
  const { socket, far, pinged } = await connection(t)
  sweepPings([socket])
  await once(socket, 'pong')
  sweepPings([socket])
  await once(far, 'ping')
  t.equal(pinged.count, 2)
  t.equal(socket.readyState, WebSocket.OPEN)

  const mute = await connection(t, { autoPong: false })
  sweepPings([mute.socket])
  await once(mute.far, 'ping')
  sweepPings([mute.socket])
  t.match(await once(mute.far, 'close'), [1006], 'terminated without a close frame')
})

t.test('spread sweep › a pass takes its ticks, each pinging its share, each socket once; a socket joining mid-pass is swept by its last tick', async t => {
  const server = await startUpstream(t)
  const sockets = new Set<WebSocket>()
  const pinged: number[] = []
  const join = async (): Promise<void> => {
    const far = new WebSocket(server.url)
    const socket = (await server.next()).socket
    watchPongs(socket)
    sockets.add(socket)
    const index = pinged.push(0) - 1
    far.on('ping', () => { pinged[index]++ })
    await once(far, 'open')
  }
  for (let i = 0; i < 5; i++) await join()
  const sweep = new SpreadSweep(sockets, 3)
  const tickUntil = async (total: number): Promise<void> => {
    sweep.tick()
    await until(`${total} pings`, () => pinged.reduce((a, b) => a + b) === total)
  }
  await tickUntil(2)
  t.same(pinged, [1, 1, 0, 0, 0], 'first tick: ceil(5 / 3) sockets')
  await tickUntil(4)
  t.same(pinged, [1, 1, 1, 1, 0])
  await join()
  await tickUntil(6)
  t.same(pinged, [1, 1, 1, 1, 1, 1], 'the last tick takes the rest, the newcomer too')
  await tickUntil(8)
  t.same(pinged, [2, 2, 1, 1, 1, 1], 'the next pass starts over, its share from the size it starts with')
})
