import t, { type Test as Tap } from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import { sweepPings, watchPongs } from '../../src/ws/ping-sweep.js'
import { startUpstream } from '../gateway/support.js'

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
