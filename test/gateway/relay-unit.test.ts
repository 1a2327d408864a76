import t, { type Test as Tap } from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import { UpstreamRelay } from '../../src/ws/upstream-relay.js'
import { startUpstream, Peer } from './support.js'

/** Two real socket pairs: the service's ends (client-facing, upstream-facing) and the far ends, the relay between. */
async function relayPair (t: Tap) {
  const clients = await startUpstream(t)
  const upstreams = await startUpstream(t)
  const far = new Peer(new WebSocket(clients.url))
  const serviceClient = (await clients.next()).socket
  const serviceUpstream = new WebSocket(upstreams.url)
  await once(serviceUpstream, 'open')
  const upstream = await upstreams.next()
  const relayed: string[] = []
  const errors: string[] = []
  const relay = new UpstreamRelay(serviceClient, { error: code => { errors.push(code); return undefined } }, {
    metrics: { upstreamConnect: () => {}, upstreamClosed: () => {}, relayed: direction => { relayed.push(direction) } },
    highWater: 1024
  })
  relay.attach(serviceUpstream)
  relay.start()
  return { relay, far, serviceClient, serviceUpstream, upstream, relayed, errors }
}

t.test('UpstreamRelay › a client frame arriving while the upstream is closing is dropped', async t => {
  const { relay, serviceUpstream, upstream, relayed } = await relayPair(t)
  serviceUpstream.close(1000)
  relay.toUpstream(Buffer.from('{"type":"late"}'))
  t.match(await upstream.closed, { code: 1000 })
  t.equal(upstream.count, 0)
  t.same(relayed, [])
})

t.test('UpstreamRelay › an upstream frame arriving while the client is closing is dropped; the upstream gets the code the client got first', async t => {
  const { far, serviceClient, upstream, relayed } = await relayPair(t)
  serviceClient.close(4007, 'Session was revoked')
  // A second close while closing (shutdown closes every socket) changes nothing.
  serviceClient.close(1001)
  upstream.send('{"type":"late"}')
  t.match(await upstream.closed, { code: 4007, reason: 'Session was revoked' })
  t.match(await far.closed, { code: 4007 })
  t.equal(far.count, 0, 'nothing after the close')
  t.same(relayed, [])
})

t.test('UpstreamRelay › a close of the service without a code reaches the upstream as 1000', async t => {
  const { serviceClient, upstream } = await relayPair(t)
  serviceClient.close()
  t.match(await upstream.closed, { code: 1000 })
})

t.test('UpstreamRelay › a frame past the mark leaves a client paused by someone else to them: it is not resumed once written', async t => {
  const { relay, serviceClient, upstream, relayed } = await relayPair(t)
  serviceClient.pause()
  relay.toUpstream(Buffer.from(`{"type":"big","pad":"${'x'.repeat(2048)}"}`))
  t.match((await upstream.next()).text, /"big"/)
  t.same(relayed, ['to_upstream'])
  t.equal(serviceClient.isPaused, true, 'still paused after the frame was written out')
})
