import t from 'tap'
import { EventEmitter } from 'node:events'
import { createAdmission } from '../../src/ws/admission.js'

t.test('admission › every socket shares one close listener, and its close gives back its own address\'s place', async t => {
  const admission = createAdmission({ maxConnectionsPerIp: 1, maxUnauthenticatedSockets: 10 }, () => 0)
  const a = new EventEmitter()
  const b = new EventEmitter()
  t.equal(admission.admit('10.0.0.1', a), undefined)
  t.equal(admission.admit('10.0.0.2', b), undefined)
  // A closure per socket was ~250 B of heap per idle socket (docs/benchmarks.md).
  t.equal(a.listeners('close')[0], b.listeners('close')[0], 'no listener made per socket')
  t.equal(admission.admit('10.0.0.1', new EventEmitter()), 'CONNECTION_LIMIT')
  a.emit('close')
  t.equal(admission.admit('10.0.0.1', undefined), undefined, 'the closed socket\'s address is free again')
  t.equal(admission.admit('10.0.0.2', undefined), 'CONNECTION_LIMIT', 'the other address still holds its place')
})
