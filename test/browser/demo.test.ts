import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { build, type App } from '../helper.js'
import { freePort } from '../support/net.js'
import { buildDemo } from '../../src/demo/bundle.js'

const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOTS = join('.tap', 'screenshots')

if (!existsSync(CHROMIUM) && process.env.CI !== 'true') {
  // Loud, but not a failure on a workstation without Chromium; CI installs it (.ci/run) and must run this.
  process.stderr.write(`\n*** SKIPPING the browser test: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n\n`)
  t.plan(0, `${CHROMIUM} missing: apt-get install -y chromium`)
} else {
  t.test('demo page in Chromium › authenticate, chat, heartbeat, replay refused, reconnect after a server restart', async t => {
    const assets = await buildDemo(t.testdir())
    const port = await freePort()
    const start = async (): Promise<App> => {
      const app = await build(t, { PORT: String(port) }, { demoAssetsDir: assets })
      await app.listen({ port, host: '127.0.0.1' })
      return app
    }
    let server = await start()

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    t.teardown(() => browser.close())
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', err => problems.push(`page error: ${err.message}`))
    page.on('response', res => {
      // While the server closes, a ticket request may meet Fastify's 503: the client retries it.
      const retried = res.status() === 503 && res.url().endsWith('/api/websocket/ticket')
      if (res.status() >= 400 && !retried) problems.push(`HTTP ${res.status()} ${res.url()}`)
    })
    page.on('console', msg => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`)
    })

    await page.goto(`http://127.0.0.1:${port}/`)
    await page.fill('#user', 'alice')
    await page.click('#connect')
    await waitStep(page, 'token')
    await waitStep(page, 'ticket')
    await waitStep(page, 'connect')
    const auth = await waitStep(page, 'authenticate')
    t.match(auth, 'as alice')
    t.equal(await page.textContent('#state'), 'open')
    const firstSession = await page.textContent('#session')
    t.match(firstSession, /^session_[0-9a-f]{32}$/)

    await page.fill('#message', 'hello from Chromium')
    await page.press('#message', 'Enter')
    await page.waitForSelector('#messages li.server:has-text("Echo: hello from Chromium")')
    t.match(await waitStep(page, 'chat'), 'Echo: hello from Chromium')
    t.match(await waitStep(page, 'heartbeat'), /\d+ ms round trip/)
    t.match(await waitStep(page, 'replay'), 'again: authentication_error TICKET_USED', 'the replayed ticket is refused')

    // Restart: the page hears server_shutdown, reconnects with a fresh ticket to the new server on the same port.
    const restartedAt = Date.now()
    await server.close()
    await page.waitForSelector('#log li:has-text("server_shutdown")')
    server = await start()
    await page.waitForFunction(
      (before) => document.querySelector('#state')?.textContent === 'open' && document.querySelector('#session')?.textContent !== before,
      firstSession, { timeout: 15_000 })
    const secondSession = await page.textContent('#session')
    t.comment(`back open ${Date.now() - restartedAt} ms after the server began closing`)
    t.not(secondSession, firstSession, 'a new session after the restart')
    t.same((await server.store.listSessions('alice')).map(s => s.sessionId), [secondSession], 'held by the new server')
    await page.fill('#message', 'still here')
    await page.press('#message', 'Enter')
    await page.waitForSelector('#messages li.server:has-text("Echo: still here")')

    await mkdir(SCREENSHOTS, { recursive: true })
    const file = join(SCREENSHOTS, 'demo-page.png')
    await page.screenshot({ path: file, fullPage: true })
    t.comment(`screenshot: ${file}`)
    t.same(problems, [], 'no script errors, no failed request but the retried ones')
  })
}

/** Wait until a step of the page is done; its detail text. */
async function waitStep (page: Page, step: string): Promise<string> {
  const item = await page.waitForSelector(`[data-step="${step}"][data-status="done"]`, { timeout: 10_000 })
  return await item.textContent() ?? ''
}
