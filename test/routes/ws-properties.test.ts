import t from 'tap'
import fc from 'fast-check'
import { build, listen, authenticated, issueTicket, authHeaders, tokenFor, Client, type Message } from '../helper.js'
import { compileChecker } from '../../src/protocol/checkers.js'
import { ChatMessageSchema, ConfigureToolsSchema, HeartbeatPingSchema, TicketAuthenticateSchema } from '../../src/protocol/messages.js'
import { TICKET_PATTERN, TicketRequestSchema } from '../../src/protocol/http.js'
import { mutated, wires, sendOver, deep, deepObject, knownCodes, REPLY_TYPES, type Wire } from '../support/hostile.js'
import { check } from '../support/seed.js'

const CHECKS = new Map(Object.entries({
  chat_message: compileChecker(ChatMessageSchema),
  configure_tools: compileChecker(ConfigureToolsSchema),
  heartbeat_ping: compileChecker(HeartbeatPingSchema)
}))
const checkAuthenticate = compileChecker(TicketAuthenticateSchema)
const VALID: Record<string, Record<string, unknown>> = {
  chat_message: { type: 'chat_message', id: 'm1', content: 'hello' },
  configure_tools: { type: 'configure_tools', id: 'm2', toolSchemas: [{ name: 'search' }] },
  heartbeat_ping: { type: 'heartbeat_ping', id: 'm3', timestamp: 1700000000000, pingTime: 12 }
}

/** What the server receives: the message after a JSON round trip, or nothing usable for a broken wire. */
function received (message: unknown, wire: Wire): Record<string, any> | undefined {
  if (wire !== 'text') return undefined
  const value: unknown = JSON.parse(JSON.stringify(message))
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, any> : undefined
}
const echoedId = (m: Record<string, any> | undefined) => typeof m?.id === 'string' && m.id.length <= 64 ? m.id : undefined

/** PROTOCOL.md §2 as an oracle for an authenticated connection: the reply type or the error code a frame must get. */
function expectedAfterAuth (m: Record<string, any> | undefined): string {
  if (m === undefined) return 'INVALID_JSON'
  if (m.type === 'ticket_authenticate') return 'ALREADY_AUTHENTICATED'
  const check = typeof m.type === 'string' ? CHECKS.get(m.type) : undefined
  if (check === undefined) return 'UNKNOWN_MESSAGE_TYPE'
  return check.Check(m) ? REPLY_TYPES[m.type] : 'INVALID_MESSAGE'
}

/** The same for a first frame carrying `ticket`: only a valid ticket_authenticate with it may consume it. */
function expectedBeforeAuth (m: Record<string, any> | undefined, ticket: string): string {
  if (m === undefined) return 'INVALID_JSON'
  if (m.type !== 'ticket_authenticate') return 'AUTH_REQUIRED'
  if (m.ticket === undefined || m.ticket === null) return 'TICKET_MISSING'
  if (typeof m.ticket !== 'string' || !new RegExp(TICKET_PATTERN).test(m.ticket)) return 'TICKET_INVALID'
  if (!checkAuthenticate.Check(m)) return 'INVALID_MESSAGE'
  return m.ticket === ticket ? 'authentication_success' : 'TICKET_INVALID'
}
const outcome = (answer: Message) => typeof answer.code === 'string' ? answer.code : answer.type

t.test('GET /ws › property: every message type, bent in any field or wire, gets exactly its reply or its protocol code; the socket stays open', async t => {
  const { app, ws } = await listen(t, { MESSAGE_RATE_LIMIT: '100000' })
  const [client] = await authenticated(app, ws, 'prop')
  for (const [type, valid] of Object.entries(VALID)) {
    await check(fc.asyncProperty(mutated(valid), wires, async (message, wire) => {
      sendOver(client.socket, message, wire)
      const answer = await client.next(3000)
      const m = received(message, wire)
      t.equal(outcome(answer), expectedAfterAuth(m), `${type} over ${wire}`)
      t.equal(answer.id, echoedId(m), 'the id is echoed when it is a valid tag')
      if (answer.code !== undefined) t.ok(knownCodes.has(answer.code))
      return client.socket.readyState === client.socket.OPEN
    }), { numRuns: 60 })
  }
  t.equal((await client.request({ type: 'chat_message', content: 'still here' })).content, 'Echo: still here')
  client.close()
})

t.test('GET /ws › property: a hostile ticket_authenticate frame consumes its ticket only when it is valid', async t => {
  const { app, ws } = await listen(t, { TICKET_RATE_LIMIT: '100000' })
  const PLACEHOLDER = 'the ticket of this run'
  const template = { type: 'ticket_authenticate', id: 'a1', ticket: PLACEHOLDER, clientInfo: { userAgent: 'fc', timestamp: '2024-01-15T10:30:00.000Z' } }
  let run = 0
  await check(fc.asyncProperty(mutated(template), wires, async (bent, wire) => {
    const ticket = await issueTicket(app, `prop-${run++}`)
    const message = bent.ticket === PLACEHOLDER ? { ...bent, ticket } : bent
    const [first] = await Client.connect(ws)
    sendOver(first.socket, message, wire)
    const expected = expectedBeforeAuth(received(message, wire), ticket)
    t.equal(outcome(await first.next(3000)), expected, `${wire}: ${expected}`)
    // The store's state, read the only way a client can: redeem the ticket again.
    const [second] = await Client.connect(ws)
    const again = outcome(await second.request({ type: 'ticket_authenticate', ticket }))
    t.equal(again, expected === 'authentication_success' ? 'TICKET_USED' : 'authentication_success', 'consumed exactly when valid')
    first.close()
    second.close()
  }), { numRuns: 50 })
})

const ROUTE_CODES: Record<string, number> = { UNSUPPORTED_MEDIA_TYPE: 415, PAYLOAD_TOO_LARGE: 413, INVALID_JSON: 400, VALIDATION_ERROR: 400, USER_MISMATCH: 403, BAD_REQUEST: 400 }
const checkTicketRequest = compileChecker(TicketRequestSchema)
const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream')
const bodies = fc.oneof(
  { arbitrary: mutated({ userId: 'alice', entityId: 'brand-456', entityType: 'BRAND', providerResId: '', clientInfo: { userAgent: 'fc' } }).map(b => JSON.stringify(b)), weight: 5 },
  { arbitrary: fc.jsonValue().map(v => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 500 }), weight: 1 },
  { arbitrary: fc.integer({ min: 10, max: 12_000 }).map(deep), weight: 1 },
  { arbitrary: fc.integer({ min: 10, max: 4_000 }).map(deepObject), weight: 1 },
  { arbitrary: fc.constantFrom(Buffer.from('{"userId":"ali\xe2\x82"}', 'latin1'), Buffer.from([0xff, 0xfe, 0x7b]), Buffer.alloc(0)), weight: 1 }
)

const post = async (app: Awaited<ReturnType<typeof build>>, headers: Record<string, string>, payload: string | Buffer) =>
  await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers, payload })

t.test('POST /api/websocket/ticket › property: any body and content type answers 200 only when valid, otherwise a documented 4xx code, never a 5xx', async t => {
  const app = await build(t, { TICKET_RATE_LIMIT: '100000' })
  const headers = authHeaders(tokenFor(app, 'alice'))
  await check(fc.asyncProperty(bodies, contentTypes, async (payload, contentType) => {
    const res = await post(app, { ...headers, 'content-type': contentType }, payload)
    if (res.statusCode === 200) {
      const sent = JSON.parse(payload.toString())
      return contentType.startsWith('application/json') && checkTicketRequest.Check(sent) && sent.userId === 'alice'
    }
    const body = res.json()
    return body.success === false && ROUTE_CODES[body.code] === res.statusCode
  }), { numRuns: 300 })
})

// Each answer class generated on purpose, so each is asserted on every run (chance decides nothing).
const validRequest = fc.record({
  userId: fc.constant('alice'),
  entityId: fc.string({ maxLength: 255 }),
  entityType: fc.string({ maxLength: 50 }),
  clientInfo: fc.record({ userAgent: fc.string({ maxLength: 1024 }) }, { requiredKeys: [] })
}, { requiredKeys: ['userId'] })
const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8')
const BODY_CLASSES: Array<[string, number, fc.Arbitrary<[string | Buffer, string]>]> = [
  ['a valid request', 200, fc.tuple(validRequest.map(b => JSON.stringify(b)), jsonType)],
  ['another user\'s id', 403, fc.tuple(validRequest.map(b => JSON.stringify({ ...b, userId: `${b.entityId}-not-alice` })), jsonType)],
  ['a body over BODY_LIMIT_BYTES', 413, fc.tuple(fc.integer({ min: 16_385, max: 40_000 }).map(n => JSON.stringify({ userId: 'x'.repeat(n) })), jsonType)],
  ['a non-JSON content type', 415, fc.tuple(validRequest.map(b => JSON.stringify(b)), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream'))],
  ['broken JSON', 400, fc.tuple(fc.oneof(validRequest.map(b => JSON.stringify(b).slice(0, -1)), fc.integer({ min: 10, max: 4_000 }).map(deep)), jsonType)],
  ['a schema violation', 400, fc.tuple(fc.oneof(fc.constant('{}'), fc.string({ minLength: 256, maxLength: 400 }).map(userId => JSON.stringify({ userId }))), jsonType)]
]

t.test('POST /api/websocket/ticket › property: each answer class (200, 400, 403, 413, 415) for the bodies that make it', async t => {
  const app = await build(t, { TICKET_RATE_LIMIT: '100000' })
  const headers = authHeaders(tokenFor(app, 'alice'))
  for (const [name, status, arbitrary] of BODY_CLASSES) {
    await check(fc.asyncProperty(arbitrary, async ([payload, contentType]) => {
      const res = await post(app, { ...headers, 'content-type': contentType }, payload)
      return res.statusCode === status && (status === 200 || ROUTE_CODES[res.json().code] === status)
    }), { numRuns: 30 })
    t.pass(`${name} → ${status}`)
  }
})

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map(c => String.fromCharCode(c)), maxLength: 400 })
const CREDENTIAL_CODES = ['AUTH_MISSING', 'AUTH_INVALID', 'SERVER_KEY_MISSING', 'SERVER_KEY_INVALID']

t.test('POST /api/websocket/ticket › property: any Authorization or server key header answers 401 with a credential code, never a 5xx', async t => {
  const app = await build(t, { TICKET_RATE_LIMIT: '100000' })
  const authorization = fc.oneof(printable, printable.map(s => `Bearer ${s}`), fc.constant(`Bearer ${tokenFor(app, 'alice')}`))
  const serverKey = fc.oneof(printable, fc.constantFrom('UD21', 'Host', 'Reserve'))
  await check(fc.asyncProperty(authorization, serverKey, async (auth, key) => {
    const res = await post(app, { authorization: auth, 'x-chat-server-key': key, 'content-type': 'application/json' }, '{"userId":"alice"}')
    if (res.statusCode === 200) return key === 'UD21' || key === 'Host' || key === 'Reserve'
    return res.statusCode === 401 && CREDENTIAL_CODES.includes(res.json().code)
  }), { numRuns: 200 })
})

t.test('POST /api/websocket/ticket › property: each credential class gets its own code', async t => {
  const app = await build(t, { TICKET_RATE_LIMIT: '100000' })
  const valid = fc.constant(`Bearer ${tokenFor(app, 'alice')}`)
  const token = fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,300}$/)
  const unknownKey = fc.stringMatching(/^[A-Za-z0-9-]{1,60}$/).filter(k => !['UD21', 'Host', 'Reserve'].includes(k))
  const classes: Array<[string, fc.Arbitrary<string>, fc.Arbitrary<string | undefined>]> = [
    ['AUTH_MISSING', fc.oneof(fc.constant(''), printable.map(s => `Basic ${s}`), token), fc.constantFrom('UD21', undefined)],
    ['AUTH_INVALID', token.map(s => `Bearer ${s}`), fc.constantFrom('UD21', undefined)],
    ['SERVER_KEY_MISSING', valid, fc.constantFrom('', undefined)],
    ['SERVER_KEY_INVALID', valid, unknownKey],
    ['ok', valid, fc.constantFrom('UD21', 'Host', 'Reserve')]
  ]
  for (const [expected, authorization, serverKey] of classes) {
    await check(fc.asyncProperty(authorization, serverKey, async (auth, key) => {
      const headers: Record<string, string> = { authorization: auth, 'content-type': 'application/json' }
      if (key !== undefined) headers['x-chat-server-key'] = key
      const res = await post(app, headers, '{"userId":"alice"}')
      return (res.statusCode === 200 ? 'ok' : res.json().code) === expected
    }), { numRuns: 30 })
    t.pass(expected)
  }
})

t.test('after the properties › no prototype was polluted and the service keeps serving', async t => {
  t.same(Object.keys(Object.prototype), [])
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  const { app, ws } = await listen(t)
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)
  const [client] = await authenticated(app, ws)
  t.equal((await client.request({ type: 'chat_message', content: 'ok' })).content, 'Echo: ok')
  client.close()
})
