import t from 'tap'
import fc from 'fast-check'
import { Deadlines, type Timed } from '../../src/ws/deadlines.js'
import { within } from '../support/events.js'
import { check } from '../support/seed.js'

/** An item recording when it fired, in order, into `fired`. */
function item (name: string, fired: string[], then?: () => void): Timed & { name: string } {
  return { name, dueAt: 0, slot: -1, due: () => { fired.push(name); then?.() } }
}

t.test('Deadlines › whatever the schedule/reschedule/remove sequence, due items fire once each, earliest first', async t => {
  const op = fc.record({ item: fc.nat(15), at: fc.integer({ min: -1000, max: 1000 }), remove: fc.boolean() })
  await check(fc.asyncProperty(fc.array(op, { maxLength: 60 }), async ops => {
    const deadlines = new Deadlines<Timed & { name: string }>()
    const fired: string[] = []
    const items = Array.from({ length: 16 }, (_, i) => item(String(i), fired))
    const expected = new Map<string, number>()
    // All in the past: everything fires on the next turn, in dueAt order.
    const base = Date.now() - 10_000
    for (const { item: i, at, remove } of ops) {
      if (remove) {
        deadlines.remove(items[i])
        expected.delete(String(i))
      } else {
        deadlines.schedule(items[i], base + at)
        expected.set(String(i), base + at)
      }
    }
    const order = [...expected].sort((a, b) => a[1] - b[1])
    await within(new Promise<void>(resolve => { const check = () => fired.length >= order.length ? resolve() : setImmediate(check); check() }))
    const times = fired.map(name => expected.get(name) as number)
    return fired.length === expected.size && new Set(fired).size === fired.length &&
      times.every((at, i) => i === 0 || times[i - 1] <= at) && deadlines.size === 0
  }), { numRuns: 100 })
  t.pass()
})

t.test('Deadlines › one timer, armed for the earliest; a due item may schedule itself again', async t => {
  const deadlines = new Deadlines<Timed & { name: string }>()
  const fired: string[] = []
  let resolveDone: () => void
  const done = new Promise<void>(resolve => { resolveDone = resolve })
  const later = item('later', fired, () => { resolveDone() })
  const again = item('again', fired, () => { if (fired.length === 1) deadlines.schedule(again, Date.now() + 20) })
  deadlines.schedule(later, Date.now() + 200)
  deadlines.schedule(again, Date.now() + 30)
  await within(done)
  t.same(fired, ['again', 'again', 'later'])
  t.equal(deadlines.size, 0)
})

t.test('Deadlines › a far deadline waits past the longest setTimeout, and stop() disarms the timer', async t => {
  const deadlines = new Deadlines<Timed & { name: string }>()
  const fired: string[] = []
  const far = item('far', fired)
  deadlines.schedule(far, Date.now() + 2 ** 33)
  t.equal(deadlines.size, 1)
  deadlines.stop()
  deadlines.remove(far)
  deadlines.remove(far)
  t.equal(deadlines.size, 0, 'removing twice is harmless')
  t.same(fired, [])
})
