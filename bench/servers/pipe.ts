import { connect, createServer } from 'node:net'
import { serveChild } from './child.js'

/**
 * The gateway scenario's floor: every accepted TCP connection piped byte for
 * byte to the upstream echo (`UPSTREAM_URL`) and back, with no WebSocket parsing,
 * framing or checks. Any relay in Node does at least its two reads and two writes
 * per round trip; the gateway's CPU above this is what its own work costs.
 */
const upstream = new URL(process.env.UPSTREAM_URL as string)

const server = createServer({ noDelay: true }, (client) => {
  const far = connect({ host: upstream.hostname, port: Number(upstream.port), noDelay: true })
  client.pipe(far).pipe(client)
  client.on('error', () => far.destroy())
  far.on('error', () => client.destroy())
})
server.listen(0, '127.0.0.1', () => serveChild(server))
