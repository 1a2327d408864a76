import t from 'tap'
import { build } from '../helper.js'
import { ERRORS } from '../../src/protocol/errors.js'

t.test('GET /docs › serves the Swagger UI', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /html/)
})

t.test('GET /docs/json › OpenAPI 3 from the route schemas, listing every error code of each route', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc.openapi, /^3\./)
  const ticket = doc.paths['/api/websocket/ticket'].post
  t.ok(ticket.requestBody.content['application/json'].schema.properties.userId)
  const codesOf = (op: { responses: Record<string, any> }) => Object.entries(op.responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([, r]) => r.content['application/json'].schema.properties.code.enum ?? r.content['application/json'].schema.properties.code.anyOf.map((x: { enum?: string[], const?: string }) => x.const ?? x.enum?.[0]))
  const ticketCodes = codesOf(ticket)
  for (const code of ['AUTH_MISSING', 'AUTH_INVALID', 'SERVER_KEY_MISSING', 'SERVER_KEY_INVALID', 'RATE_LIMITED', 'UNSUPPORTED_MEDIA_TYPE',
    'PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'VALIDATION_ERROR', 'USER_MISMATCH', 'DATABASE_ERROR', 'TICKET_GENERATION_ERROR']) {
    t.ok(ticketCodes.includes(code), `ticket route lists ${code}`)
    t.ok(ticket.responses[String((ERRORS[code as keyof typeof ERRORS] as { status: number }).status)], `under its status for ${code}`)
  }
  t.ok(codesOf(doc.paths['/api/websocket/sessions/{sessionId}'].delete).includes('SESSION_NOT_FOUND'))
  t.ok(doc.paths['/health'].get.responses['503'])
})
