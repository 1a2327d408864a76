import t from 'tap'
import { listen, tokenFor, Client } from '../helper.js'

async function connect (t: Tap, ws: string) {
  const [client, hello] = await Client.connect(ws)
  t.teardown(() => client.close())
  return { client, sessionId: hello.sessionId as string }
}
type Tap = { teardown: (fn: () => unknown) => void }

t.test('GET /ws › legacy {type:"authenticate", token} is AUTH_REQUIRED when LEGACY_TOKEN_AUTH is off', async t => {
  const { app, ws } = await listen(t)
  const { client } = await connect(t, ws)
  t.match(await client.request({ type: 'authenticate', token: tokenFor(app, 'alice') }), { type: 'authentication_error', code: 'AUTH_REQUIRED' })
  t.match(await client.request({ type: 'chat_message', content: 'hi' }), { code: 'AUTH_REQUIRED' }, 'still unauthenticated')
})

t.test('GET /ws › LEGACY_TOKEN_AUTH=true opens a session from the JWT, like a ticket', async t => {
  const { app, ws } = await listen(t, { LEGACY_TOKEN_AUTH: 'true' })
  const { client, sessionId } = await connect(t, ws)
  const ok = await client.request({ type: 'authenticate', id: 'a1', token: tokenFor(app, 'alice'), chatServerKey: 'UD21', entityId: 'e1', entityType: 'BRAND' })
  t.match(ok, { type: 'authentication_success', id: 'a1', sessionId, user: { userId: 'alice', entityId: 'e1', entityType: 'BRAND' } })
  t.match(await app.store.getSession(sessionId), { userId: 'alice', chatServerKey: 'UD21' })
  t.match(await client.request({ type: 'chat_message', content: 'hi' }), { type: 'chat_response', content: 'Echo: hi' })
  t.match(await client.request({ type: 'authenticate', token: tokenFor(app, 'alice') }), { type: 'error', code: 'ALREADY_AUTHENTICATED' })
  t.match(await client.request({ type: 'ticket_authenticate', ticket: 'x' }), { code: 'ALREADY_AUTHENTICATED' })
})

t.test('GET /ws › LEGACY_TOKEN_AUTH=true without a chat server key stores an empty one', async t => {
  const { app, ws } = await listen(t, { LEGACY_TOKEN_AUTH: 'true' })
  const { client, sessionId } = await connect(t, ws)
  t.match(await client.request({ type: 'authenticate', token: tokenFor(app, 'bob') }), { type: 'authentication_success' })
  t.match(await app.store.getSession(sessionId), { userId: 'bob', chatServerKey: '' })
})

t.test('GET /ws › LEGACY_TOKEN_AUTH=true refuses bad frames with the ticket codes', async t => {
  const { app, ws } = await listen(t, { LEGACY_TOKEN_AUTH: 'true' })
  const { client } = await connect(t, ws)
  t.match(await client.request({ type: 'authenticate' }), { type: 'authentication_error', code: 'TICKET_MISSING' })
  t.match(await client.request({ type: 'authenticate', token: 7 }), { type: 'error', code: 'INVALID_MESSAGE' })
  t.match(await client.request({ type: 'authenticate', token: 'not-a-jwt' }), { type: 'authentication_error', code: 'TICKET_INVALID' })
  client.send({ type: 'authenticate', token: 'still-not-a-jwt' })
  t.match(await client.next(), { code: 'TICKET_INVALID' })
  t.same(await client.closed, { code: 4003, reason: 'Invalid ticket' }, 'the third failed authentication closes (INVALID_MESSAGE does not count)')

  const second = await connect(t, ws)
  t.match(await second.client.request({ type: 'authenticate', token: tokenFor(app, 'alice'), chatServerKey: 'nope' }), { code: 'TICKET_INVALID' })
  const expired = tokenFor(app, 'alice', { exp: Math.floor(Date.now() / 1000) - 60 })
  t.match(await second.client.request({ type: 'authenticate', token: expired }), { code: 'TICKET_INVALID' })
})
