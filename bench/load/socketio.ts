import { io, type Socket } from 'socket.io-client'
import { PING_FRAME, SOURCE_ADDRESSES, type BenchUser } from '../lib/wire.js'

let next = 0
const PING = JSON.parse(PING_FRAME) as Record<string, unknown>

/**
 * A Socket.IO client as its users write it: the JWT in `auth`, resolved on
 * `connect` (the server's middleware accepted it). WebSocket transport only,
 * which spares the peer the long-polling requests of its default start: the
 * comparison leans its way.
 */
export function sioConnect (port: number, user: BenchUser): Promise<Socket> {
  const token = user.headers.authorization.slice('Bearer '.length)
  const socket = io(`http://127.0.0.1:${port}`, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    localAddress: SOURCE_ADDRESSES[next++ % SOURCE_ADDRESSES.length]
  } as Parameters<typeof io>[1])
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (err) => { socket.close(); reject(err) })
  })
}

/** Disconnect and wait until the underlying WebSocket is closed. */
export function sioClose (socket: Socket): Promise<void> {
  return new Promise(resolve => {
    socket.io.engine.once('close', () => resolve())
    socket.disconnect()
  })
}

/** One heartbeat round trip: the event out, the server's acknowledgement back. */
export function sioPing (socket: Socket): Promise<unknown> {
  return socket.emitWithAck('heartbeat_ping', PING)
}
