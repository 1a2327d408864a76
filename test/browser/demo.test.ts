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
    let wrongKey = false
    page.on('response', res => {
      // While the server closes, a ticket request may meet Fastify's 503: the client retries it.
      const retried = res.status() === 503 && res.url().endsWith('/api/websocket/ticket')
      const refused = wrongKey && res.status() === 401
      if (res.status() >= 400 && !retried && !refused) problems.push(`HTTP ${res.status()} ${res.url()}`)
    })
    page.on('console', msg => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`)
    })

    await page.goto(`http://127.0.0.1:${port}/`)
    await page.fill('#user', 'alice')
    await page.dblclick('#connect')
    t.ok(await page.isDisabled('#connect'), 'Connect is disabled while connecting')
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

    t.equal(await openSessions(server), 1, 'the double click opened one session')
    await screenshot(t, page, 'demo-open')

    await t.test('disconnect: nothing of the session stays on the page', async t => {
      await page.click('#disconnect')
      t.equal(await page.textContent('#state'), 'closed')
      t.equal(await page.textContent('#session'), 'none')
      t.ok(await page.isDisabled('#disconnect'), 'Disconnect is disabled')
      t.ok(await page.isEnabled('#connect'), 'Connect is enabled')
      t.ok(await page.isDisabled('#message'), 'no chat without a connection')
      t.equal(await page.locator('[data-step][data-status]').count(), 0, 'no step keeps a status')
      await until(async () => await openSessions(server) === 0)
      t.match(await lastLog(page), 'disconnected')
    })

    await t.test('reconnect: a new session, no echo of the previous one', async t => {
      await page.click('#connect')
      await waitStep(page, 'authenticate')
      const session = await page.textContent('#session')
      t.not(session, secondSession, 'a new session')
      t.equal(await page.getAttribute('[data-step="chat"]', 'data-status'), null, 'step 5 shows no previous echo')
      t.equal(await page.locator('#messages li').count(), 0, 'the transcript starts empty')
      await page.fill('#message', 'after reconnect')
      await page.press('#message', 'Enter')
      t.match(await waitStep(page, 'chat'), 'Echo: after reconnect')
      const log = await page.locator('#log li').allTextContents()
      const sent = log.findIndex(line => line.includes('sent chat_message: after reconnect'))
      const received = log.findIndex(line => line.includes('received chat_response: Echo: after reconnect'))
      t.ok(sent >= 0 && received > sent, 'the log shows both chats, newest last')
      await page.click('#disconnect')
    })

    await t.test('a wrong server key fails step 2 (the ticket), not step 4', async t => {
      wrongKey = true
      await page.fill('#server-key', 'not-a-key')
      await page.click('#connect')
      await page.waitForSelector('#state[data-state="error"]')
      t.match(await page.textContent('[data-step="ticket"][data-status="failed"]'), 'HTTP 401 SERVER_KEY_INVALID')
      t.equal(await page.getAttribute('[data-step="authenticate"]', 'data-status'), null, 'step 4 was never reached')
      t.ok(await page.isEnabled('#connect'), 'Connect again after fixing the key')
      t.match(await lastLog(page), 'error')
      await screenshot(t, page, 'demo-wrong-key')
      wrongKey = false
    })

    await t.test('phone width (375 px): nothing wider than the screen', async t => {
      await page.setViewportSize({ width: 375, height: 800 })
      await page.fill('#server-key', '')
      await page.click('#connect')
      await waitStep(page, 'replay')
      t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no horizontal scroll')
      await screenshot(t, page, 'demo-phone')
    })

    await t.test('two submits in one tick still open one connection', async t => {
      await page.click('#disconnect')
      await until(async () => await openSessions(server) === 0)
      await page.evaluate(() => {
        const form = document.getElementById('login') as HTMLFormElement
        form.requestSubmit()
        form.requestSubmit()
      })
      await waitStep(page, 'replay')
      t.equal(await openSessions(server), 1)
    })
    t.same(problems, [], 'no script errors, no failed request but the retried and the expected 401')
  })
}

/** alice's live sessions, once the replay step's own short-lived socket has gone. */
async function openSessions (server: App): Promise<number> {
  await until(async () => (await server.store.listSessions('alice')).length <= 1)
  return (await server.store.listSessions('alice')).length
}

async function lastLog (page: Page): Promise<string> {
  return await page.locator('#log li').last().textContent() ?? ''
}

/** Poll a condition until it holds, or fail after a deadline. */
async function until (condition: () => Promise<boolean>, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!await condition()) {
    if (Date.now() > end) throw new Error('condition not met within the deadline')
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

async function screenshot (t: { comment: (msg: string) => void }, page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  const file = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  t.comment(`screenshot: ${file}`)
}

/** Wait until a step of the page is done; its detail text. */
async function waitStep (page: Page, step: string): Promise<string> {
  const item = await page.waitForSelector(`[data-step="${step}"][data-status="done"]`, { timeout: 10_000 })
  return await item.textContent() ?? ''
}
