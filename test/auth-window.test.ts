import t from 'tap'
import { createAuthWindow } from '../src/auth-window.js'

t.test('createAuthWindow › counts the last minute by result and code, and forgets older seconds', async t => {
  let now = 1_000_000
  const window = createAuthWindow({ now: () => now })
  t.same(window.snapshot(), { windowSeconds: 60, success: 0, failure: 0, byCode: {} })
  window.record('OK')
  window.record('TICKET_USED')
  now += 30_000
  window.record('OK')
  window.record('OK')
  t.same(window.snapshot(), { windowSeconds: 60, success: 3, failure: 1, byCode: { OK: 3, TICKET_USED: 1 } })
  now += 30_000
  t.same(window.snapshot(), { windowSeconds: 60, success: 2, failure: 0, byCode: { OK: 2 } }, 'the first second left the window')
  now += 60_000
  window.record('TICKET_INVALID')
  t.same(window.snapshot(), { windowSeconds: 60, success: 0, failure: 1, byCode: { TICKET_INVALID: 1 } })
})

t.test('createAuthWindow › the real clock by default', async t => {
  const window = createAuthWindow()
  window.record('OK')
  t.equal(window.snapshot().success, 1)
})
