import t from 'tap'
import { Parser } from '@asyncapi/parser'
import { build } from '../helper.js'
import { ClientMessageSchema, ServerMessageSchemas, messageType } from '../../src/protocol/messages.js'
import { WS_ERROR_CODES, ERRORS } from '../../src/protocol/errors.js'

t.test('GET /docs/asyncapi.json › a valid AsyncAPI 3 document of /ws with every message type and error code', async t => {
  const app = await build(t, { PORT: '4321' })
  const res = await app.inject({ method: 'GET', url: '/docs/asyncapi.json' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /application\/json/)
  const doc = res.json()
  t.equal(doc.asyncapi, '3.0.0')
  t.match(doc.servers.service, { host: 'localhost:4321', protocol: 'ws' })
  t.equal(doc.channels.ws.address, '/ws')

  const { document, diagnostics } = await new Parser().parse(res.body)
  const errors = diagnostics.filter(d => d.severity === 0)
  t.same(errors.map(d => `${d.path.join('.')}: ${d.message}`), [], 'no parser errors')
  t.ok(document, 'parsed')

  const clientTypes = (ClientMessageSchema.anyOf).map(messageType)
  const serverTypes = ServerMessageSchemas.map(messageType)
  const parsedMessages = document?.allMessages().all().map(m => m.name()) ?? []
  for (const type of [...clientTypes, ...serverTypes]) {
    t.ok(parsedMessages.includes(type), `message ${type}`)
  }
  for (const type of clientTypes) t.equal(document?.operations().get(`receive_${type}`)?.action(), 'receive', `the server receives ${type}`)
  for (const type of serverTypes) t.equal(document?.operations().get(`send_${type}`)?.action(), 'send', `the server sends ${type}`)
  t.same(doc.operations.receive_chat_message.reply.messages.map((m: { $ref: string }) => m.$ref.split('/').pop()), ['chat_response', 'error', 'authentication_error'])

  const enumOf = (type: string) => doc.components.messages[type].payload.properties.code.anyOf.map((c: { const: string }) => c.const)
  const codes = [...enumOf('error'), ...enumOf('authentication_error')]
  for (const code of WS_ERROR_CODES) {
    t.ok(codes.includes(code), `${code} in the payload schema`)
    t.match(doc.info.description, `| \`${code}\` | ${ERRORS[code].close} |`, `${code} with its close code in the table`)
  }
  t.match(doc.info.description, '| 1001 | `server_shutdown`')
})

t.test('GET /docs/json › the OpenAPI description links the AsyncAPI document', async t => {
  const app = await build(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  t.match(doc.info.description, '(/docs/asyncapi.json)')
})
