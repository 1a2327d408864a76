import t from 'tap'
import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { once } from 'node:events'

/** Run an entry point (with the test runner's TypeScript loader) to its exit; its exit code and stderr. */
async function runToExit (file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [...process.execArgv, file], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stderr }
}

const ENTRY_POINTS = ['src/server.ts', 'examples/existing-server.ts']

t.test('entry points › a port in use: the reason on stderr and a non-zero exit', async t => {
  const taken = createServer().listen(0, '127.0.0.1')
  await once(taken, 'listening')
  t.teardown(() => { taken.close() })
  const port = String((taken.address() as AddressInfo).port)
  for (const file of ENTRY_POINTS) {
    const started = Date.now()
    const { code, stderr } = await runToExit(file, { PORT: port, HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'silent' })
    t.equal(code, 1, `${file} exits 1`)
    t.match(stderr, `Failed to start: Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`, `${file} says why`)
    t.comment(`${file} exited after ${Date.now() - started} ms (most of it loading TypeScript under the test loader)`)
  }
})
