import t from 'tap'
import { isoAt, isoNow } from '../../src/protocol/clock.js'

t.test('isoNow › the current time in ISO 8601 UTC, formatted once per millisecond', async t => {
  const before = Date.now()
  const first = isoNow()
  t.match(first, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  t.ok(Date.parse(first) >= before && Date.parse(first) <= Date.now())
  // Two calls in one millisecond answer the same string object; bounded loop until that happens.
  let same = false
  for (let i = 0; i < 1000 && !same; i++) {
    const ms = Date.now()
    const a = isoNow()
    const b = isoNow()
    same = Date.now() === ms && a === b
  }
  t.ok(same, 'a second call within the millisecond reuses the formatted string')
  await new Promise(resolve => setTimeout(resolve, 5))
  t.not(isoNow(), first, 'a later millisecond is formatted anew')
})

t.test('isoAt › any timestamp in ISO 8601 UTC, the last one reused', async t => {
  t.equal(isoAt(0), '1970-01-01T00:00:00.000Z', 'the epoch is formatted, not taken for the empty cache')
  const at = Date.UTC(2026, 10, 30, 13, 45, 6, 789)
  const first = isoAt(at)
  t.equal(first, '2026-11-30T13:45:06.789Z')
  t.equal(isoAt(at), first)
  t.equal(isoAt(at + 1), '2026-11-30T13:45:06.790Z', 'another millisecond is formatted anew')
})
