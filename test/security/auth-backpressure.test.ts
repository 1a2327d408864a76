import t from 'tap'
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { createMemoryStore } from '../../src/stores/memory.js'
import { Client, issueTicket, listen, type App } from '../helper.js'
import { until } from '../support/wait.js'

const FRAME = JSON.stringify({ type: 'flood', pad: 'x'.repeat(60_000) })
const FLOOD_BYTES = 32 * 1024 * 1024
const FRAMES = Math.ceil(FLOOD_BYTES / FRAME.length)

/** What the service has read from the client's TCP connection so far. */
function bytesRead (app: App): number {
  const [socket] = app.websocketServer.clients as Set<WebSocket>
  return (socket as unknown as { _socket: Socket })._socket.bytesRead
}

t.test('GET /ws › while authenticating the service stops reading: a flood behind the ticket waits in the client\'s buffers, not the service\'s memory', async t => {
  const store = createMemoryStore()
  let answer!: () => void
  const stalled = new Promise<void>(resolve => { answer = resolve })
  // A store that does not answer the consume until the test says so.
  const consumeTicket: typeof store.consumeTicket = async (...args) => { await stalled; return await store.consumeTicket(...args) }
  const { app, ws } = await listen(t, { MESSAGE_RATE_LIMIT: '10000' }, { store: { ...store, consumeTicket } })
  const ticket = await issueTicket(app)
  const [client] = await Client.connect(ws)
  t.teardown(() => client.close())
  client.send({ type: 'ticket_authenticate', ticket })
  for (let i = 0; i < FRAMES; i++) client.send(FRAME)
  client.send({ type: 'chat_message', content: 'last' })
  // Settled: the client's buffer no longer shrinks (the service stopped reading) or is empty (it read everything).
  let last = -1
  let still = 0
  await until('the client buffer settles', () => {
    const now = client.socket.bufferedAmount
    still = now === last ? still + 1 : 0
    last = now
    return still >= 5
  }, 20_000)
  const read = bytesRead(app)
  t.ok(read < 1024 * 1024, `the service read ${read} of ${FLOOD_BYTES} bytes while authenticating`)
  t.ok(last > FLOOD_BYTES / 2, `${last} bytes wait in the client's own buffer (loopback kernel buffers hold a few MB)`)
  answer()
  t.match(await client.next(), { type: 'authentication_success' })
  let answered = 0
  for (let i = 0; i < FRAMES; i++) if ((await client.next(10_000)).code === 'UNKNOWN_MESSAGE_TYPE') answered++
  t.equal(answered, FRAMES, 'every flood frame answered after the authentication')
  t.match(await client.next(), { type: 'chat_response', content: 'Echo: last' }, 'in order, nothing lost')
})
