import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { once } from 'node:events'

type Tap = { teardown: (fn: () => unknown) => void }

/** A loopback port nobody listens on right now (for servers that must come back on the same port). */
export async function freePort (): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  await new Promise(resolve => probe.close(resolve))
  return port
}

/**
 * Run a TypeScript file as its own process, the way the tests run (same
 * loader, coverage collected), until its log says it listens; stopped with
 * SIGTERM (a graceful close) when the test ends.
 */
export async function runScript (t: Tap, file: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...process.execArgv, file], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = once(child, 'exit')
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('Server listening')) resolve()
    })
    child.once('exit', code => reject(new Error(`${file} exited ${String(code)} before listening:\n${out}`)))
  })
  return child
}

/** Run a script to its end, the way the tests run (same loader, coverage collected): its exit code and output. */
export async function runToExit (file: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...process.execArgv, file, ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}
