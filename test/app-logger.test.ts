import t from 'tap'
import { loggerOptions } from '../src/app.js'
import { loadConfig } from '../src/config.js'

t.test('loggerOptions › logs go to stdout in 4 KiB batches flushed every second, not one write per line', async t => {
  const opts = loggerOptions(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' })) as { level: string, stream?: Record<string, unknown> }
  t.equal(opts.level, 'info')
  t.ok(opts.stream, 'a destination is set')
  t.equal(opts.stream?.fd, 1)
  t.equal(opts.stream?.minLength, 4096)
  t.equal(opts.stream?.sync, false)
  t.equal(opts.stream?._periodicFlush, 1000)
})

t.test('loggerOptions › a silent logger opens no destination', async t => {
  const opts = loggerOptions(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })) as { stream?: unknown }
  t.equal(opts.stream, undefined)
})
