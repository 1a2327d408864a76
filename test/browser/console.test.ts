import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { Client, build, issueTicket, type App } from '../helper.js'
import { freePort } from '../support/net.js'
import { until } from '../support/wait.js'
import { buildConsole } from '../../src/demo/bundle.js'
import type { StoreEvent } from '../../src/stores/types.js'

const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOTS = join('.tap', 'screenshots')
const KEY = 'console-browser-key-7f3a'

/** A real socket authenticated through the ticket route, as a chat client would. */
async function socket (app: App, url: string, userId: string, entity: Record<string, string> = {}): Promise<[Client, string]> {
  const [client] = await Client.connect(url)
  const ok = await client.request({ type: 'ticket_authenticate', ticket: await issueTicket(app, userId, entity) })
  if (ok.type !== 'authentication_success') throw new Error(JSON.stringify(ok))
  return [client, ok.sessionId as string]
}

const text = async (page: Page, selector: string) => await page.textContent(selector) ?? ''
const waitText = async (page: Page, selector: string, expected: string) =>
  await page.waitForFunction(([s, e]) => document.querySelector(s)?.textContent === e, [selector, expected], { timeout: 10_000 })

async function screenshot (t: { comment: (msg: string) => void }, page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  const file = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  t.comment(`screenshot: ${file}`)
}

if (!existsSync(CHROMIUM) && process.env.CI !== 'true') {
  process.stderr.write(`\n*** SKIPPING the console browser test: ${CHROMIUM} is missing (apt-get install -y chromium) ***\n\n`)
  t.plan(0, `${CHROMIUM} missing: apt-get install -y chromium`)
} else {
  t.test('operator console in Chromium › key, sessions, presence, live counters, revoke one and all, phone width', async t => {
    const assets = await buildConsole(t.testdir())
    const port = await freePort()
    const start = async () => {
      const app = await build(t, { BACKEND_API_KEYS: KEY }, { consoleAssetsDir: assets })
      await app.listen({ port, host: '127.0.0.1' })
      return { app, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` }
    }
    let server = await start()
    const revokes: StoreEvent[] = []
    server.app.store.subscribe(event => { if (event.kind === 'revoke') revokes.push(event) })
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    t.teardown(() => browser.close())
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    const problems: string[] = []
    const requested: string[] = []
    // Failures the test provokes: the wrong key's 401, and the server's absence (refused connections, 503 while closing).
    let expected: 'wrong key' | 'server down' | undefined
    page.on('pageerror', err => problems.push(`page error: ${err.message}`))
    page.on('request', req => requested.push(req.url()))
    page.on('response', res => {
      if (res.status() >= 400 && !(expected === 'wrong key' && res.status() === 401) && expected !== 'server down') problems.push(`HTTP ${res.status()} ${res.url()}`)
    })
    page.on('console', msg => {
      if (msg.type() === 'error' && !(expected !== undefined && msg.text().startsWith('Failed to load resource'))) problems.push(`console: ${msg.text()}`)
    })

    await page.goto(`${server.http}/admin`)
    t.equal(await text(page, '#state'), 'locked')
    t.ok(await page.isHidden('#workspace'), 'nothing but the key form before a key')

    await t.test('a wrong key shows the 401 and is not kept', async t => {
      expected = 'wrong key'
      await page.fill('#key', 'not-the-key')
      await page.click('#open')
      await page.waitForSelector('#state[data-state="refused"]')
      t.match(await text(page, '#key-error'), '401 AUTH_INVALID: Unknown backend API key')
      t.equal(await page.evaluate(() => sessionStorage.length), 0, 'the refused key is forgotten')
      await screenshot(t, page, 'console-refused')
      expected = undefined
    })

    const [a1, s1] = await socket(server.app, server.ws, 'alice', { entityType: 'BRAND', entityId: 'acme' })
    const [a2, s2] = await socket(server.app, server.ws, 'alice')
    const [bob] = await socket(server.app, server.ws, 'bob')

    await t.test('the right key opens the console; it stays in this tab only', async t => {
      await page.fill('#key', KEY)
      await page.press('#key', 'Enter')
      await page.waitForSelector('#state[data-state="ready"]')
      t.equal(await page.evaluate(() => Object.values(sessionStorage).length), 1)
      t.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in local storage')
      t.equal(await page.inputValue('#key'), '', 'the field is emptied')
      await waitText(page, '#connections', '3')
      t.equal(await text(page, '#local-sessions'), '3')
      t.equal(await text(page, '#auth-success'), '3')
    })

    await t.test('search a user: a row per live session, entity shown', async t => {
      await page.fill('#user-id', 'alice')
      await page.click('#find')
      await page.waitForSelector(`#sessions tr[data-session-id="${s2}"]`)
      t.equal(await page.locator('#sessions tbody tr').count(), 2)
      t.match(await text(page, `tr[data-session-id="${s1}"]`), /BRAND acme.*\d{4}-\d\d-\d\dT/)
      for (const record of await server.app.store.listSessions('alice')) {
        const row = await text(page, `tr[data-session-id="${record.sessionId}"]`)
        t.ok(row.includes(record.authenticatedAt) && row.includes(record.expiresAt ?? '—'), 'authenticatedAt and expiresAt as the store has them')
      }
    })

    await t.test('presence and counters follow new sockets and refused tickets without a click', async t => {
      await page.fill('#presence-ids', 'alice, bob carol')
      await page.click('#watch')
      await waitText(page, '#presence li[data-user="alice"]', 'alice: online (2)')
      t.equal(await text(page, '#presence li[data-user="carol"]'), 'carol: offline')
      const [a3, s3] = await socket(server.app, server.ws, 'alice')
      const ticket = await issueTicket(server.app, 'mallory')
      const [used] = await Client.connect(server.ws)
      used.send({ type: 'ticket_authenticate', ticket })
      await used.next()
      const [replay] = await Client.connect(server.ws)
      t.match(await replay.request({ type: 'ticket_authenticate', ticket }), { code: 'TICKET_USED' })
      await waitText(page, '#presence li[data-user="alice"]', 'alice: online (3)')
      await waitText(page, '#auth-failure', '1')
      t.equal(await text(page, '#auth-success'), '5')
      t.match(await text(page, '#auth-codes'), 'TICKET_USED 1')
      await page.waitForSelector(`#sessions tr[data-session-id="${s3}"]`)
      for (const c of [used, replay]) c.close()
      await screenshot(t, page, 'console-desktop')

      await t.test('revoke one session: that socket closes 4007, the others stay', async t => {
        await page.click(`button.revoke[data-session-id="${s1}"]`)
        t.equal((await a1.closed).code, 4007)
        await page.waitForSelector(`#sessions tr[data-session-id="${s1}"]`, { state: 'detached' })
        t.equal((await a2.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong')
        t.same(revokes, [{ kind: 'revoke', sessionId: s1, reconnect: false }])
      })

      await t.test('revoke all with reconnect: every socket of the user closes 4007, bob stays', async t => {
        await page.check('#reconnect')
        t.match(await text(page, '#revoke-all'), 'Revoke all 2 of alice')
        await page.click('#revoke-all')
        for (const c of [a2, a3]) t.equal((await c.closed).code, 4007)
        t.same(revokes.slice(1).map(e => e.kind === 'revoke' && e.reconnect), [true, true], 'both with reconnect true')
        await page.waitForSelector('#sessions', { state: 'hidden' })
        await waitText(page, '#presence li[data-user="alice"]', 'alice: offline')
        t.equal((await bob.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong')
        t.ok((await page.locator('#log li').allTextContents()).some(l => l.includes('revoked every session of alice: 2 session(s), reconnect true')))
      })
    })

    await t.test('phone width (375 px): sessions as cards, nothing wider than the screen', async t => {
      const extra = [await socket(server.app, server.ws, 'alice', { entityType: 'BRAND', entityId: 'a-rather-long-entity-identifier-0123456789' }),
        await socket(server.app, server.ws, 'alice')]
      await page.setViewportSize({ width: 375, height: 800 })
      await page.waitForSelector(`#sessions tr[data-session-id="${extra[1][1]}"]`)
      t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no horizontal scroll')
      await screenshot(t, page, 'console-phone')
      for (const [c] of extra) c.close()
    })

    await t.test('server gone: unreachable, figures kept; back: ready by itself with the kept key', async t => {
      expected = 'server down'
      await server.app.close()
      await page.waitForSelector('#state[data-state="unreachable"]', { timeout: 10_000 })
      t.match(await text(page, '#banner'), 'no response: network error or server down')
      t.ok(await page.isDisabled('#revoke-all'), 'no revocation while the server is away')
      await screenshot(t, page, 'console-unreachable')
      server = await start()
      await page.waitForSelector('#state[data-state="ready"]', { timeout: 10_000 })
      await waitText(page, '#connections', '0')
      t.ok(await page.isHidden('#banner'))
      expected = undefined
    })

    await t.test('the log reads newest last and never shows the key; forget returns to the key form', async t => {
      const lines = await page.locator('#log li').allTextContents()
      const opened = lines.findIndex(l => l.includes('checking → ready'))
      const revokedAll = lines.findIndex(l => l.includes('revoked every session of alice'))
      t.ok(opened >= 0 && revokedAll > opened, 'events in the order they happened')
      t.notMatch(await page.evaluate(() => document.body.innerText), KEY)
      t.notOk(requested.some(url => url.includes(KEY)), 'the key is in no URL')
      await page.click('#forget')
      t.equal(await text(page, '#state'), 'locked')
      t.equal(await page.evaluate(() => sessionStorage.length), 0)
      t.ok(await page.isHidden('#workspace'))
    })
    await until('every socket closed', () => server.app.websocketServer.clients.size === 0)
    t.same(problems, [], 'no script errors, no failed request but the expected 401')
  })
}
