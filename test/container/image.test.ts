import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createSigner } from 'fast-jwt'
import { authHeaders, Client } from '../helper.js'
import { freePort } from '../support/net.js'
import { PODMAN_MISSING, buildImage, localBase, logMatch, removeContainer, run, runImage } from '../support/podman.js'

// The first run on a machine makes the base (debootstrap, ~2 min) before the build (~1.5 min).
t.setTimeout(12 * 60_000)

const SHUTDOWN_TIMEOUT_MS = 5000
const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1)

t.test('docker/Dockerfile › built and run with podman: /health, HEALTHCHECK, a ticket flow, SIGTERM drains and exits 0', { skip: PODMAN_MISSING }, async t => {
  let since = Date.now()
  const base = await localBase()
  t.comment(`base ${base}: ${seconds(since)} s`)
  since = Date.now()
  const image = await buildImage(base)
  t.teardown(() => run('podman', ['rmi', '--force', image]))
  t.comment(`image built: ${seconds(since)} s`)

  const port = await freePort()
  const secret = randomBytes(32).toString('hex')
  const container = await runImage(image, {
    HOST: '127.0.0.1', PORT: String(port), JWT_SECRET: secret, CHAT_SERVER_KEYS: 'container-key', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS)
  })
  t.teardown(() => removeContainer(container))
  await logMatch(container, /Server listening/, 30_000)

  const http = `http://127.0.0.1:${port}`
  t.equal((await fetch(`${http}/health`)).status, 200, 'GET /health')
  await t.resolves(run('podman', ['healthcheck', 'run', container]), 'the image\'s HEALTHCHECK passes')
  const identity = await run('podman', ['exec', container, 'sh', '-c', 'id -un; test -e node_modules/typescript || echo no-dev-deps'])
  t.same(identity.trim().split('\n'), ['node', 'no-dev-deps'], 'runs as `node`, production dependencies only')

  const token = createSigner({ key: secret, algorithm: 'HS256' })({ userId: 'alice' })
  const res = await fetch(`${http}/api/websocket/ticket`, {
    method: 'POST', headers: authHeaders(token, 'container-key'), body: JSON.stringify({ userId: 'alice' })
  })
  t.equal(res.status, 200, 'POST /api/websocket/ticket')
  const [client, hello] = await Client.connect(`ws://127.0.0.1:${port}/ws`)
  t.equal(hello.type, 'connection_established', 'ws://…/ws greets')
  const ok = await client.request({ type: 'ticket_authenticate', ticket: (await res.json()).ticket })
  t.match(ok, { type: 'authentication_success', user: { userId: 'alice' } }, 'ticket_authenticate opens a session')

  // `podman stop` sends the image's STOPSIGNAL and would SIGKILL (exit 137) only after --time.
  since = Date.now()
  const stopped = run('podman', ['stop', '--time', '30', container])
  t.match(await client.next(), { type: 'server_shutdown' }, 'the client is told')
  t.match(await client.closed, { code: 1001 }, 'then closed with 1001 (going away)')
  await stopped
  t.equal((await run('podman', ['inspect', '--format', '{{.State.ExitCode}}', container])).trim(), '0', 'exit 0')
  t.ok(Date.now() - since < SHUTDOWN_TIMEOUT_MS, `drained within SHUTDOWN_TIMEOUT_MS (${seconds(since)} s)`)
})
