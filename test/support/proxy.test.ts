import t, { type Test } from 'tap'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { once } from 'node:events'
import { startProxy } from './proxy.js'

async function echoServer (t: Test) {
  const sockets = new Set<Socket>()
  const server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.pipe(socket)
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const s of sockets) s.destroy()
    await new Promise(resolve => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

/** A client of the proxy that collects what comes back. */
async function client (port: number) {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.on('data', chunk => { received += chunk.toString() })
  return {
    socket,
    get received () { return received },
    async until (text: string, timeoutMs = 3000): Promise<boolean> {
      const end = Date.now() + timeoutMs
      while (!received.includes(text) && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 10))
      return received.includes(text)
    }
  }
}

t.test('proxy › pipes both ways, delays in order, pauses, kills, stops and starts again', async t => {
  const target = await echoServer(t)
  const proxy = await startProxy({ port: target })
  t.teardown(() => proxy.close())

  const c = await client(proxy.port)
  c.socket.write('hello')
  t.ok(await c.until('hello'), 'round trip')
  t.equal(proxy.connections, 1)

  proxy.delay(150)
  const sent = Date.now()
  c.socket.write('-slow')
  await new Promise(resolve => setTimeout(resolve, 50))
  t.notOk(c.received.includes('-slow'), 'held by the delay')
  proxy.delay(0)
  c.socket.write('-fast')
  t.ok(await c.until('-slow-fast'), 'a later chunk never overtakes a delayed one')
  t.ok(Date.now() - sent >= 140, 'the injected delay was applied')

  proxy.pause()
  c.socket.write('-held')
  await new Promise(resolve => setTimeout(resolve, 150))
  t.notOk(c.received.includes('-held'), 'nothing passes while paused')
  proxy.resume()
  t.ok(await c.until('-held'), 'held traffic flows on resume')

  const closed = once(c.socket, 'close')
  proxy.killConnections()
  await closed
  t.equal(proxy.connections, 0, 'killed connections are gone')

  const port = proxy.port
  await proxy.stop()
  const refused = connect(port, '127.0.0.1')
  const [err] = await once(refused, 'error') as [NodeJS.ErrnoException]
  t.equal(err.code, 'ECONNREFUSED', 'stopped: connections are refused')
  await proxy.start()
  t.equal(proxy.port, port, 'back on the same port')
  const again = await client(proxy.port)
  again.socket.write('back')
  t.ok(await again.until('back'), 'serves again after start')
  again.socket.destroy()
})

t.test('proxy › closing the proxy drops its clients; a target that is down drops them too', async t => {
  const proxy = await startProxy({ port: await echoServer(t) })
  const c = await client(proxy.port)
  c.socket.write('x')
  await c.until('x')
  const closed = once(c.socket, 'close')
  await proxy.close()
  await closed
  t.equal(proxy.connections, 0)

  const nowhere = await startProxy({ port: proxy.port })
  t.teardown(() => nowhere.close())
  const orphan = await client(nowhere.port)
  await once(orphan.socket, 'close')
  t.equal(nowhere.connections, 0, 'the client is closed when the target refuses')
})

t.test('proxy › counts the writes clients make: one per exchange waited for', async t => {
  const proxy = await startProxy({ port: await echoServer(t) })
  t.teardown(() => proxy.close())
  const c = await client(proxy.port)
  t.teardown(() => c.socket.destroy())
  c.socket.write('a;b;')
  t.ok(await c.until('a;b;'))
  t.equal(proxy.requests, 1, 'two messages in one write: one request')
  c.socket.write('c;')
  t.ok(await c.until('c;'))
  t.equal(proxy.requests, 2, 'a write after the answer: another')
})
