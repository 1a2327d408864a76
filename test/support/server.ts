import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url))

/**
 * `npm start` as a real child process, with the test runner's TypeScript
 * loader (and coverage): its JSON log lines, the address it listens at,
 * its exit code and stderr. `env` is the whole environment it gets.
 */
export function startServer (env: NodeJS.ProcessEnv, cwd?: string) {
  const child = spawn(process.execPath, [...process.execArgv, SERVER], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
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
