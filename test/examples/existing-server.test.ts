import t from 'tap'
import { Client } from '../helper.js'
import { freePort, runScript } from '../support/net.js'
import { signDevToken } from '../../src/dev-token.js'

const SECRET = 'example-test-secret'

t.test('examples/existing-server.ts › an existing Fastify server with the plugin and its own chat_message handler', async t => {
  const port = await freePort()
  await runScript(t, 'examples/existing-server.ts', { PORT: String(port), JWT_SECRET: SECRET, LOG_LEVEL: 'info' })
  const http = `http://127.0.0.1:${port}`
  const ticketFor = async (userId: string, serverKey = 'my-chat-server') => await fetch(`${http}/api/websocket/ticket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${signDevToken(userId, { secret: SECRET })}`, 'x-chat-server-key': serverKey, 'content-type': 'application/json' },
    body: JSON.stringify({ userId })
  })
  const signIn = async (userId: string) => {
    const [client] = await Client.connect(`ws://127.0.0.1:${port}/ws`)
    const ok = await client.request({ type: 'ticket_authenticate', ticket: (await (await ticketFor(userId)).json()).ticket })
    t.equal(ok.type, 'authentication_success', `${userId} authenticated`)
    return client
  }

  t.same(await (await fetch(`${http}/api/rooms`)).json(), { rooms: ['general'] }, 'the server\'s own route')
  t.match((await (await ticketFor('alice', 'UD21')).json()), { code: 'SERVER_KEY_INVALID' }, 'only the keys it configured')
  const alice = await signIn('alice')
  const bob = await signIn('bob')
  t.match(await alice.request({ type: 'chat_message', content: 'hi bob', to: 'bob', id: 'm1' }), { type: 'chat_response', content: 'alice: hi bob', id: 'm1' })
  t.match(await bob.next(), { type: 'direct_message', from: 'alice', content: 'hi bob' })
  t.match(await bob.request({ type: 'chat_message', content: 'hello all' }), { type: 'chat_response', content: 'bob: hello all' })
  t.match(await bob.request({ type: 'chat_message', content: 'x'.repeat(2001) }), { type: 'error', code: 'INVALID_MESSAGE' }, 'its own limit of 2000')
  alice.close()
  bob.close()
})
