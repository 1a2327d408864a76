import t from 'tap'
import { until } from '../support/wait.js'
import { startGateway, startUpstream, through, type Peer } from './support.js'

const FRAMES = 1000

t.test('gateway › 1,000 numbered frames each way arrive unchanged (byte for byte) and in order', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url, { MESSAGE_RATE_LIMIT: '100000', ENABLE_METRICS: 'true' })
  const [client, peer] = await through(app, ws, upstream)
  // Spacing, key order, escapes and non-ASCII a re-serialisation would change.
  const up = (n: number) => `{ "type":"note","n":${n}, "text":"caf\\u00e9 ☕ ${'x'.repeat(n % 50)}" ,"z":1.50}`
  const down = (n: number) => `{"n":${n},  "type" : "tick", "big":12345678901234567890}`
  for (let n = 0; n < FRAMES; n++) {
    client.send(up(n))
    peer.send(down(n))
  }
  const expected = (frame: (n: number) => string) => Array.from({ length: FRAMES }, (_, n) => frame(n))
  const received = async (peer: Peer) => await Promise.all(Array.from({ length: FRAMES }, async () => (await peer.next()).text))
  t.same(await received(peer), expected(up), 'client → upstream')
  t.same(await received(client), expected(down), 'upstream → client')
  const metrics = (await app.inject('/metrics')).body
  t.match(metrics, `wsticket_upstream_frames_relayed_total{direction="to_upstream"} ${FRAMES}`)
  t.match(metrics, `wsticket_upstream_frames_relayed_total{direction="to_client"} ${FRAMES}`)
  t.match(metrics, 'wsticket_upstream_connections 1')
  t.match(metrics, /wsticket_upstream_connect_duration_seconds_count\{result="accepted"\} 1/)
  client.socket.close()
  await peer.closed
  // The service's end of the upstream closes when the upstream answers its close frame.
  await until('the gauge is back to 0', async () => (await app.inject('/metrics')).body.includes('wsticket_upstream_connections 0'))
})

t.test('gateway › the service answers its own messages and enforces its limits; only valid relayable frames reach the upstream', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url, { MESSAGE_RATE_LIMIT: '12', MAX_MESSAGE_BYTES: '4096' })
  const [client, peer] = await through(app, ws, upstream)
  t.match(await request(client, { type: 'heartbeat_ping', id: 'h1', timestamp: 7, pingTime: 3 }), { type: 'heartbeat_pong', id: 'h1', originalTimestamp: 7, pingTime: 3 })
  t.match(await request(client, { type: 'heartbeat_ping', timestamp: { bad: true } }), { type: 'error', code: 'INVALID_MESSAGE' })
  t.match(await request(client, 'not json'), { type: 'error', code: 'INVALID_JSON' })
  t.match(await request(client, '[1,2]'), { type: 'error', code: 'INVALID_JSON' })
  t.match(await request(client, '{"type":42,"id":"t"}'), { type: 'error', code: 'UNKNOWN_MESSAGE_TYPE', id: 't' })
  client.socket.send(Buffer.from('{"type":"binary"}'), { binary: true })
  t.match(await client.json(), { code: 'INVALID_JSON' }, 'binary frames are not JSON text')
  client.send('{"type":"chat_message","content":""}')
  client.send('{"type":"configure_tools"}')
  t.equal((await peer.next()).text, '{"type":"chat_message","content":""}', 'the built-in schemas are the upstream\'s business')
  t.equal((await peer.next()).text, '{"type":"configure_tools"}')
  for (let i = 0; i < 4; i++) client.send({ type: 'burst', i })
  t.match(await client.json(), { code: 'MESSAGE_RATE_LIMITED' }, 'the 13th frame of the window')
  for (let i = 0; i < 3; i++) t.same(JSON.parse((await peer.next()).text), { type: 'burst', i })
  t.equal(peer.count, 5, 'nothing else reached the upstream')
  client.send(JSON.stringify({ type: 'big', pad: 'x'.repeat(5000) }))
  t.match(await client.closed, { code: 1009 })
  t.match(await peer.closed, { code: 1009 }, 'the upstream is closed with the code the client got')
})

t.test('gateway › binary upstream frames stay binary; backend deliveries are frames of their own', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url)
  const [client, peer] = await through(app, ws, upstream)
  peer.socket.send(Buffer.from([0, 1, 2, 255]), { binary: true })
  const binary = await client.next()
  t.equal(binary.isBinary, true)
  await app.sendToUser('alice', { type: 'notice', text: 'from the backend' })
  t.match(await client.json(), { type: 'notice', text: 'from the backend' })
  peer.send('{"type":"after"}')
  t.equal((await client.next()).text, '{"type":"after"}')
  t.equal(peer.count, 0, 'the delivery did not go through the upstream')
})

async function request (client: Peer, message: unknown) {
  client.send(message)
  return await client.json()
}
