import t from 'tap'
import fc from 'fast-check'
import fastJson from 'fast-json-stringify'
import { Type } from '@sinclair/typebox'
import { serialize, serializationSchema } from '../../src/protocol/serializers.js'
import { HeartbeatPongSchema, type HeartbeatPing } from '../../src/protocol/messages.js'
import { check } from '../support/seed.js'
import { createMessageRegistry, defineMessage, heartbeat, heartbeatPong, type MessageContext } from '../../src/ws/handlers.js'

const ping = fc.record({
  type: fc.constant('heartbeat_ping' as const),
  timestamp: fc.option(fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), { nil: undefined }),
  pingTime: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined })
}, { requiredKeys: ['type'] }) as fc.Arbitrary<HeartbeatPing>
const id = fc.option(fc.string({ maxLength: 64 }), { nil: undefined })

/** The frame the generic path sends: the handler's reply, copied and stamped as Connection.dispatch does. */
function handlerFrame (msg: HeartbeatPing, replyId: string | undefined, timestamp: string): string {
  let out: Record<string, unknown> | undefined
  const ctx = { reply: (reply: object) => { out = Object.assign({}, reply, { id: replyId, timestamp }) } } as unknown as MessageContext
  void heartbeat.handler(msg, ctx)
  return serialize(out as never)
}

t.test('heartbeat › the fast answer is byte for byte the frame its handler replies', async t => {
  await check(fc.property(ping, id, (msg, replyId) => {
    const pong = heartbeatPong(msg, replyId)
    return serialize(pong) === handlerFrame(msg, replyId, pong.timestamp)
  }))
  t.pass()
})

t.test('heartbeat › serializers compiled without the anyOf write what the published schemas would', async t => {
  const published = fastJson(HeartbeatPongSchema)
  const pong = fc.record({
    type: fc.constant('heartbeat_pong'),
    id,
    originalTimestamp: fc.option(fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), { nil: undefined }),
    pingTime: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
    timestamp: fc.date({ noInvalidDate: true }).map(d => d.toISOString())
  })
  await check(fc.property(pong, value => serialize(value as never) === published(value)))
  // Only a union of plain types becomes a type list; any other property is compiled as published.
  const literal = Type.Union([Type.Literal('a'), Type.Number()])
  const rewritten = serializationSchema(Type.Object({ literal, plain: Type.Union([Type.String(), Type.Number()]) }))
  t.equal(rewritten.properties.literal, literal)
  t.same(rewritten.properties.plain, { type: ['string', 'number'] })
})

t.test('heartbeat › only the built-in handler is answered directly; a replacement runs', async t => {
  t.equal(createMessageRegistry().get('heartbeat_ping')?.answer, heartbeatPong)
  t.equal(createMessageRegistry().get('chat_message')?.answer, undefined)
  const own = defineMessage(Type.Object({ type: Type.Literal('heartbeat_ping') }), () => {})
  t.equal(createMessageRegistry([own]).get('heartbeat_ping')?.answer, undefined)
})
