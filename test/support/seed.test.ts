import t from 'tap'
import fc from 'fast-check'
import { check, seed } from './seed.js'

const failing = () => fc.property(fc.integer(), n => n < 1000)
const failure = async () => await check(failing()).then(() => undefined, (err: Error) => err.message)

t.test('test/support/seed › a failing property names the seed and the command that replays it', async t => {
  const message = await failure()
  t.match(message, `seed: ${seed},`, 'fast-check reports the shared seed')
  t.match(message, new RegExp(`replay: FC_SEED=${seed} npx tap \\S+seed\\.test\\.ts`), 'and how to run this file with it')
  t.equal(await failure(), message, 'the same seed finds the same counterexample')
})
