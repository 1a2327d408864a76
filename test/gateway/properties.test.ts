import t from 'tap'
import fc from 'fast-check'
import { check } from '../support/seed.js'
import { frames, mutated, TYPES } from '../support/hostile.js'
import { compileChecker } from '../../src/protocol/checkers.js'
import { HeartbeatPingSchema } from '../../src/protocol/messages.js'
import { startGateway, startUpstream, through } from './support.js'

const checkPing = compileChecker(HeartbeatPingSchema)
/** Types the service keeps in gateway mode; session_refresh's answer is the Session's (any answer but a relay). */
const OWN = new Set(['ticket_authenticate', 'heartbeat_ping', 'session_refresh'])

/** PROTOCOL.md §7 as an oracle: `relay` or the code (or reply type) the service answers itself. */
function expected (text: string | undefined): string {
  if (text === undefined) return 'INVALID_JSON'
  let value: unknown
  try { value = JSON.parse(text) } catch { return 'INVALID_JSON' }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'INVALID_JSON'
  const { type } = value as { type?: unknown }
  if (typeof type !== 'string') return 'UNKNOWN_MESSAGE_TYPE'
  if (type === 'ticket_authenticate') return 'ALREADY_AUTHENTICATED'
  if (type === 'heartbeat_ping') return checkPing.Check(value) ? 'heartbeat_pong' : 'INVALID_MESSAGE'
  if (type === 'session_refresh') return 'own'
  return 'relay'
}

const anyType = fc.oneof(fc.constantFrom(...TYPES, 'session_refresh', 'chat_message', 'room_join'), fc.string({ maxLength: 20 }))
const clientFrames = fc.oneof(
  { arbitrary: frames, weight: 4 },
  { arbitrary: mutated({ type: 'heartbeat_ping', id: 'p', timestamp: 1, pingTime: 2 }).map(m => JSON.stringify(m)), weight: 2 },
  { arbitrary: fc.record({ type: anyType, id: fc.string({ maxLength: 70 }), body: fc.jsonValue() }).map(m => JSON.stringify(m)), weight: 3 }
)

t.test('gateway › property: any client frame after authentication is relayed unchanged or answered with a protocol code; nothing unvalidated reaches the upstream', async t => {
  const upstream = await startUpstream(t)
  // The upstream echoes what it gets: a relayed frame comes back byte for byte.
  upstream.wss.on('connection', socket => { socket.on('message', (data, isBinary) => { socket.send(data, { binary: isBinary }) }) })
  const { app, ws } = await startGateway(t, upstream.url, { MESSAGE_RATE_LIMIT: '1000000' })
  const [client, peer] = await through(app, ws, upstream)
  const seen = new Set<string>()
  await check(fc.asyncProperty(clientFrames, async (frame) => {
    // What the wire carries: a string is sent as UTF-8 (lone surrogates become U+FFFD), a Buffer as a binary frame.
    const text = typeof frame === 'string' ? Buffer.from(frame).toString() : undefined
    const want = expected(text)
    seen.add(want)
    const relayedBefore = peer.count
    client.socket.send(frame, { binary: typeof frame !== 'string' })
    const answer = await client.next(5000)
    if (want === 'relay') return answer.text === text && peer.count === relayedBefore + 1
    const reply = JSON.parse(answer.text)
    const outcome = typeof reply.code === 'string' ? reply.code : reply.type
    return peer.count === relayedBefore && (want === 'own' || outcome === want)
  }), { numRuns: 400 })
  t.ok(['relay', 'INVALID_JSON', 'UNKNOWN_MESSAGE_TYPE', 'heartbeat_pong', 'INVALID_MESSAGE'].every(k => seen.has(k)), `outcomes exercised: ${[...seen].join(', ')}`)
  t.equal(client.socket.readyState, client.socket.OPEN, 'the client is still connected')
  const reached = await Promise.all(Array.from({ length: peer.count }, async () => JSON.parse((await peer.next()).text)))
  t.ok(reached.every(m => typeof m === 'object' && m !== null && !Array.isArray(m) && typeof m.type === 'string' && !OWN.has(m.type)),
    `all ${reached.length} frames the upstream got are JSON objects with a string type that is not the service's`)
  const [other] = await through(app, ws, upstream, 'bob')
  other.send('{"type":"still","ok":true}')
  t.equal((await other.next()).text, '{"type":"still","ok":true}', 'the gateway keeps relaying')
})
