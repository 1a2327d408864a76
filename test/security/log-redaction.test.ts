import t from 'tap'
import { Writable } from 'node:stream'
import { buildApp, loggerOptions } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { redactUrl } from '../../src/logging.js'
import { TEST_ENV } from '../helper.js'

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ'
const TICKET = `ws_ticket_${'ab'.repeat(32)}`
const BEARER = 'opaque-bearer-9f8e7d'

// Each shape under a parameter name nobody would list, and in the path.
const URLS = [
  `/health?jwt=${JWT}`,
  `/health?t=${TICKET}`,
  `/health?bearer=${BEARER}`,
  `/health?x=1;token=${BEARER}`,
  `/health?h=Bearer%20${BEARER}`,
  `/health?h=bearer+${BEARER}`,
  `/health?q=${JWT}&page=2`,
  `/nope/${TICKET}`,
  `/nope/${JWT}?a=b`
]

t.test('logs › credentials in URLs are recognised by shape, whatever the parameter name (captured access lines)', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'trace' })
  const app = await buildApp({ config }, { logger: { ...loggerOptions(config), stream } })
  t.teardown(() => app.close())
  for (const url of URLS) {
    const before = lines.length
    await app.inject({ url })
    const logged = lines.slice(before).join('\n')
    t.ok(logged.includes('"url":'), `${url}: logged`)
    for (const secret of [JWT, TICKET, TICKET.slice(10), BEARER, JWT.split('.')[2]]) t.notOk(logged.includes(secret), `${url}: no ${secret.slice(0, 12)}…`)
  }
})

t.test('logs › redactUrl keeps what is not a credential', async t => {
  t.equal(redactUrl('/health?page=2&sort=asc'), '/health?page=2&sort=asc')
  t.equal(redactUrl('/health?x=1;token=abc&y=2'), '/health?x=1;token=%5Bredacted%5D&y=2')
  t.equal(redactUrl(`/health?q=${JWT}&page=2`), '/health?q=%5Bredacted%5D&page=2')
  t.equal(redactUrl('/health?%E0%A4%A=1'), '/health?%E0%A4%A=1', 'a name that does not decode is kept as is')
})
