import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createSigner } from 'fast-jwt'
import { DEV_JWT_SECRET } from '../src/config.js'
import { authHeaders, Client } from './helper.js'

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url))

/** `npm start` as a real child process, with the test runner's TypeScript loader (and coverage). */
function startServer (env: Record<string, string>) {
  const child = spawn(process.execPath, [...process.execArgv, SERVER], {
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const logs: Array<Record<string, any>> = []
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  let buffered = ''
  const listening = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk) => {
      buffered += String(chunk)
      const lines = buffered.split('\n')
      buffered = lines.pop() as string
      for (const line of lines) {
        const entry = JSON.parse(line)
        logs.push(entry)
        const address = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(entry.msg)
        if (address !== null) resolve(address[1])
      }
    })
  })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  return { child, logs, listening, exited, stderr: () => stderr }
}

t.test('npm start › SIGTERM: server_shutdown then 1001 to clients, sessions removed, exit 0', async t => {
  const server = startServer({ SHUTDOWN_TIMEOUT_MS: '5000' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const base = await server.listening
  const token = createSigner({ key: DEV_JWT_SECRET, algorithm: 'HS256' })({ userId: 'alice' })
  const res = await fetch(`${base}/api/websocket/ticket`, { method: 'POST', headers: authHeaders(token), body: JSON.stringify({ userId: 'alice' }) })
  t.equal(res.status, 200)
  const [client] = await Client.connect(`${base.replace('http', 'ws')}/ws`)
  const ok = await client.request({ type: 'ticket_authenticate', ticket: (await res.json()).ticket })
  t.equal(ok.type, 'authentication_success')

  server.child.kill('SIGTERM')
  t.match(await client.next(), { type: 'server_shutdown' })
  t.match(await client.closed, { code: 1001 })
  t.equal(await server.exited, 0)
  t.ok(server.logs.some(l => l.msg === 'closing' && l.signal === 'SIGTERM'))
  t.ok(server.logs.some(l => /sessions from the store/.test(l.msg) && l.sessions === 1 && l.failed === 0), 'this instance\'s session left the store')
})

// Any start failure (a port in use too) takes this path; one child process is enough to prove it.
t.test('npm start › exit 1 naming the variable when the configuration is invalid', async t => {
  const server = startServer({ PORT: 'eighty' })
  t.equal(await server.exited, 1)
  t.match(server.stderr(), /Failed to start: ConfigError: Invalid environment variable PORT/)
})
