import t from 'tap'
import fc from 'fast-check'
import { listen, issueTicket, Client, authenticated, type Message } from '../helper.js'
import { ERRORS, WS_ERROR_CODES } from '../../src/protocol/errors.js'

const TYPES = ['ticket_authenticate', 'chat_message', 'configure_tools', 'heartbeat_ping', 'authenticate', '__proto__', 'constructor', '']
const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.constantFrom(null, true, -0, 1e308, '', '\u0000', '\ud800', 'x'.repeat(20_000))
)
/** Objects shaped like protocol messages, with wrong types, odd keys and prototype names. */
const hostileMessage = fc.record({
  type: fc.oneof(fc.constantFrom(...TYPES), hostileValue),
  id: fc.oneof(fc.string({ maxLength: 80 }), hostileValue),
  ticket: hostileValue,
  content: hostileValue,
  toolSchemas: fc.oneof(fc.array(hostileValue, { maxLength: 200 }), hostileValue),
  timestamp: hostileValue,
  __proto__: fc.jsonValue(),
  constructor: hostileValue
}, { requiredKeys: [] }).map(o => JSON.stringify(o))
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
const frames = fc.oneof(
  { arbitrary: hostileMessage, weight: 6 },
  { arbitrary: fc.jsonValue().map(v => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.string({ maxLength: 300 }), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 20_000 }).map(deep), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 512 }).map(bytes => Buffer.from(bytes)), weight: 1 }
)

const knownCodes = new Set<string>(WS_ERROR_CODES)
const closeCodes = new Set<number>([...WS_ERROR_CODES.map(c => ERRORS[c].close), 1000, 1009])

t.test('GET /ws › thousands of random and hostile frames: protocol answers only, no ticket consumed, still serving', async t => {
  const { app, ws } = await listen(t, { MESSAGE_RATE_LIMIT: '100000' })
  const spare = await issueTicket(app, 'alice')
  const samples = fc.sample(frames, { numRuns: 3000, seed: 42 })
  let answers = 0
  const unexpected: Message[] = []
  const badCloses: number[] = []

  async function flood (client: Client, batch: Array<string | Buffer>) {
    for (const frame of batch) {
      if (client.socket.readyState !== client.socket.OPEN) break
      client.socket.send(frame, { binary: Buffer.isBuffer(frame) })
      const answer = await Promise.race([client.next(2000), client.closed.then(() => undefined)])
      if (answer === undefined) break
      answers++
      if (!knownCodes.has(answer.code) && !['chat_response', 'tools_configured', 'heartbeat_pong'].includes(answer.type)) unexpected.push(answer)
    }
  }

  for (let i = 0; i < samples.length; i += 250) {
    const batch = samples.slice(i, i + 250)
    const [anonymous] = await Client.connect(ws)
    await flood(anonymous, batch)
    const [authed] = await authenticated(app, ws, `flood-${i}`)
    await flood(authed, batch)
    for (const c of [anonymous, authed]) {
      if (c.socket.readyState === c.socket.OPEN) c.close()
      const { code } = await c.closed
      if (!closeCodes.has(code)) badCloses.push(code)
    }
  }
  t.ok(answers > 3000, `every frame got an answer (${answers})`)
  t.same(unexpected.slice(0, 5), [], 'every answer is a protocol message or code')
  t.same(badCloses, [], 'every close used a protocol close code')
  const [client] = await Client.connect(ws)
  t.equal((await client.request({ type: 'ticket_authenticate', ticket: spare })).type, 'authentication_success', 'the spare ticket was not consumed')
  t.equal((await client.request({ type: 'chat_message', content: 'still here' })).content, 'Echo: still here')
  client.close()
})
