import t from 'tap'
import { build, tokenFor } from '../helper.js'
import { ConfigError, loadConfig, resolveConfig } from '../../src/config.js'
import { ERRORS } from '../../src/protocol/errors.js'

const KEYS = { BACKEND_API_KEYS: 'backend-key-one, backend-key-two' }
const SESSION = 'session_00000000000000000000000000000000'
/** Every backend route with a request that would pass validation. */
const ROUTES = [
  { method: 'GET', url: '/api/websocket/users/alice/sessions' },
  { method: 'DELETE', url: '/api/websocket/users/alice/sessions' },
  { method: 'POST', url: '/api/websocket/users/alice/messages', payload: { message: { type: 'notice' } } },
  { method: 'POST', url: `/api/websocket/sessions/${SESSION}/messages`, payload: { message: { type: 'notice' } } },
  { method: 'GET', url: '/api/websocket/presence?userId=alice' }
] as const

t.test('backend API › off without BACKEND_API_KEYS: every route answers 404 NOT_FOUND exactly like an unknown route', async t => {
  const app = await build(t)
  const unknown = await app.inject({ method: 'GET', url: '/api/websocket/nothing-here', headers: { authorization: 'Bearer backend-key-one' } })
  for (const route of ROUTES) {
    const res = await app.inject({ ...route, headers: { authorization: 'Bearer backend-key-one' } })
    t.equal(res.statusCode, 404, `${route.method} ${route.url}`)
    t.same(res.json(), { success: false, error: `Route ${route.method} ${route.url.split('?')[0]} not found`, code: 'NOT_FOUND' })
    t.same(Object.keys(res.json()), Object.keys(unknown.json()))
  }
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  t.notOk(doc.paths['/api/websocket/presence'], 'and absent from /docs')
})

t.test('backend API › 401 AUTH_MISSING without a Bearer key, before the body is read', async t => {
  const app = await build(t, KEYS)
  for (const route of ROUTES) {
    for (const authorization of [undefined, 'Basic YWxpY2U6eA==', 'Bearer', 'backend-key-one']) {
      const res = await app.inject({ ...route, headers: authorization === undefined ? {} : { authorization } })
      t.equal(res.statusCode, 401, `${route.method} ${route.url} with ${String(authorization)}`)
      t.equal(res.json().code, 'AUTH_MISSING')
    }
  }
})

t.test('backend API › 401 AUTH_INVALID for a wrong key, a user JWT or a chat-server key', async t => {
  const app = await build(t, KEYS)
  const jwt = tokenFor(app, 'alice')
  const attempts = [
    { authorization: 'Bearer backend-key-three' },
    { authorization: 'Bearer backend-key-one-and-more' },
    { authorization: `Bearer ${jwt}` },
    { authorization: `Bearer ${jwt}`, 'x-chat-server-key': 'UD21' },
    { authorization: 'Bearer UD21' }
  ]
  for (const route of ROUTES) {
    for (const headers of attempts) {
      const res = await app.inject({ ...route, headers })
      t.equal(res.statusCode, 401, `${route.method} ${route.url}`)
      t.same(res.json(), { success: false, error: 'Unknown backend API key', code: 'AUTH_INVALID' })
    }
  }
})

t.test('backend API › every key of the list opens every route', async t => {
  const app = await build(t, KEYS)
  for (const key of ['backend-key-one', 'backend-key-two']) {
    for (const route of ROUTES.filter(r => !r.url.includes(SESSION))) {
      const res = await app.inject({ ...route, headers: { authorization: `bearer  ${key}` } })
      t.ok(res.statusCode < 300, `${route.method} ${route.url}: ${res.statusCode}`)
    }
  }
})

t.test('config › BACKEND_API_KEYS: a list, empty when unset, never a chat-server key', async t => {
  t.same(loadConfig({}).backendApiKeys, [])
  t.same(loadConfig(KEYS).backendApiKeys, ['backend-key-one', 'backend-key-two'])
  t.throws(() => loadConfig({ BACKEND_API_KEYS: 'k,UD21' }), { name: 'ConfigError', message: /BACKEND_API_KEYS must not reuse a key of CHAT_SERVER_KEYS/ })
  t.throws(() => loadConfig({ BACKEND_API_KEYS: 'mine', CHAT_SERVER_KEYS: 'mine,theirs' }), ConfigError)
  t.same(resolveConfig({ backendApiKeys: ['b'] }).backendApiKeys, ['b'])
  t.same(resolveConfig({}).backendApiKeys, [])
  t.throws(() => resolveConfig({ backendApiKeys: ['same'], chatServerKeys: ['same'] }), ConfigError)
})

t.test('GET /docs/json › the backend API with every code of each route, behind its bearer scheme', async t => {
  const app = await build(t, KEYS)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  t.ok(doc.components.securitySchemes.backendApiKey)
  const codes = (op: { responses: Record<string, any> }): string[] => Object.entries(op.responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([status, r]) => (r.content['application/json'].schema.properties.code.enum as string[]).map(code => {
      t.equal(String((ERRORS as Record<string, { status?: number }>)[code].status), status, `${code} under ${status}`)
      return code
    }))
  const expected: Record<string, string[]> = {
    'get /api/websocket/users/{userId}/sessions': ['AUTH_MISSING', 'AUTH_INVALID', 'VALIDATION_ERROR', 'DATABASE_ERROR'],
    'delete /api/websocket/users/{userId}/sessions': ['AUTH_MISSING', 'AUTH_INVALID', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'VALIDATION_ERROR', 'DATABASE_ERROR'],
    'post /api/websocket/users/{userId}/messages': ['AUTH_MISSING', 'AUTH_INVALID', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'VALIDATION_ERROR', 'DATABASE_ERROR'],
    'post /api/websocket/sessions/{sessionId}/messages': ['AUTH_MISSING', 'AUTH_INVALID', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'VALIDATION_ERROR', 'DATABASE_ERROR', 'SESSION_NOT_FOUND'],
    'get /api/websocket/presence': ['AUTH_MISSING', 'AUTH_INVALID', 'VALIDATION_ERROR', 'DATABASE_ERROR']
  }
  for (const [key, list] of Object.entries(expected)) {
    const [method, path] = key.split(' ')
    const op = doc.paths[path][method]
    t.same(codes(op).sort(), [...list].sort(), key)
    t.same(op.security, [{ backendApiKey: [] }])
    t.ok(op.responses[method === 'post' ? '202' : '200'], `${key} success status`)
  }
  t.ok(codes(doc.paths['/api/websocket/sessions'].delete).includes('DATABASE_ERROR'), 'the user route DELETE /api/websocket/sessions too')
})
