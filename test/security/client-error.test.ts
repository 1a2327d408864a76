import t from 'tap'
import { once } from 'node:events'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { clientErrorHandler } from '../../src/http/client-error.js'

t.test('clientErrorHandler › a peer that reset the connection gets no answer, its socket is destroyed', async t => {
  const server = createServer().listen(0, '127.0.0.1')
  t.teardown(() => server.close())
  await once(server, 'listening')
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  t.teardown(() => client.destroy())
  const [socket] = await accepted
  clientErrorHandler(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), socket)
  t.ok(socket.destroyed)
})
