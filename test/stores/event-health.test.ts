import t from 'tap'
import { cachedCheck, createProbes } from '../../src/stores/event-health.js'

t.test('event health › a probe that comes back resolves; a foreign probe is taken but resolves nothing', async t => {
  const probes = createProbes(1000)
  const lost = (): void => { t.fail('nothing was lost') }
  await probes.roundTrip(async probe => { queueMicrotask(() => t.ok(probes.receive({ ...probe }))) }, lost)
  t.ok(probes.receive({ kind: 'probe', id: 'from-another-instance' }))
  t.notOk(probes.receive({ kind: 'revoke', sessionId: 's' }), 'an event is not a probe')
  t.notOk(probes.receive(null))
  t.notOk(probes.receive('text'))
})

t.test('event health › a probe that does not come back rejects after the timeout and reports the loss', async t => {
  const probes = createProbes(30)
  let lost = 0
  const started = Date.now()
  await t.rejects(probes.roundTrip(async () => undefined, () => { lost++ }), /did not come back within 30 ms/)
  t.ok(Date.now() - started >= 25)
  t.equal(lost, 1)
})

t.test('event health › a failed publish rejects at once and is not reported as a loss', async t => {
  const probes = createProbes(30)
  let lost = 0
  await t.rejects(probes.roundTrip(async () => { throw new Error('publish refused') }, () => { lost++ }), /publish refused/)
  // A probe that leaves and is lost, started after: by its end the first one's timer has fired too.
  await t.rejects(probes.roundTrip(async () => undefined, () => { lost++ }))
  t.equal(lost, 1, 'only the probe that was published counts as lost')
})

t.test('event health › cachedCheck: one check in flight, its outcome reused while fresh', async t => {
  let runs = 0
  let release: () => void = () => undefined
  const check = cachedCheck(async () => {
    runs++
    await new Promise<void>(resolve => { release = resolve })
  }, 60_000)
  const flood = Array.from({ length: 20 }, async () => await check())
  await new Promise(resolve => setImmediate(resolve))
  release()
  t.same(new Set(await Promise.all(flood)), new Set([true]))
  t.equal(runs, 1, 'twenty callers, one check')
  t.equal(await check(), true, 'reused while fresh')
  t.equal(runs, 1)
})

t.test('event health › cachedCheck: a stale outcome is checked again; a failure reads as down', async t => {
  let runs = 0
  const check = cachedCheck(async () => { if (++runs > 1) throw new Error('down') }, 0)
  t.equal(await check(), true)
  t.equal(await check(), false)
  t.equal(runs, 2)
})
