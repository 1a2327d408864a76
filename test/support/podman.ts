import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/**
 * The product's image, built and run with podman from a base made on this
 * machine (docker/local-base.sh): no registry image can be pulled here. The
 * flags are what this sandbox needs (it refuses podman's default limits and
 * crun's cgroup mode); on an ordinary host they change nothing that matters.
 */
const FLAGS = ['--runtime', 'runc', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096', '--network', 'host']

/** Why the image cannot be built here, or undefined when it can. */
function missing (): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (debootstrap and podman import need it)'
  const absent = ['podman', 'runc', 'debootstrap'].filter(tool => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
  return absent.length === 0 ? undefined : `${absent.join(', ')} not found (apt-get install -y podman runc debootstrap)`
}

export const PODMAN_MISSING = missing()
if (PODMAN_MISSING !== undefined) {
  if (process.env.CI === 'true') throw new Error(`The container test cannot run under CI=true: ${PODMAN_MISSING}`)
  process.stderr.write(`\n${'!'.repeat(72)}\n!!! SKIPPING THE CONTAINER TEST: ${PODMAN_MISSING}\n${'!'.repeat(72)}\n\n`)
}

/** Run a command to its end for its stdout; rejects with both outputs when it exits non-zero. */
export async function run (cmd: string, args: string[]): Promise<string> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let both = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); both += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { both += chunk.toString() })
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve))
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(code)}:\n${both.slice(-4000)}`)
  return out
}

const lastLine = (out: string): string => out.trim().split('\n').pop() as string

/** The local Node base: made once per machine (debootstrap, a few minutes), reused afterwards. */
export async function localBase (): Promise<string> {
  return lastLine(await run('docker/local-base.sh', []))
}

/**
 * docker/Dockerfile on that base, under a name of its own. Docker format keeps
 * the HEALTHCHECK (OCI has none); no intermediate images are kept, so nothing
 * but the tagged image is left to remove.
 */
export async function buildImage (base: string): Promise<string> {
  const image = `localhost/ws-ticket-auth-test:${randomBytes(4).toString('hex')}`
  const args = ['build', ...FLAGS, '--layers=false', '--format', 'docker', '--build-arg', `BASE_IMAGE=${base}`]
  // Whatever CA this machine's npm trusts (a TLS-intercepting proxy's), the npm inside the build trusts too.
  const ca = lastLine(await run('npm', ['config', 'get', 'cafile']))
  if (ca.startsWith('/')) args.push('--secret', `id=npm_ca,src=${ca}`)
  // At a lower priority, so the build does not starve the test files running next to it.
  await run('nice', ['-n', '10', 'podman', ...args, '-f', 'docker/Dockerfile', '-t', image, '.'])
  return image
}

const running = new Set<string>()
// A test process killed at tap's timeout (SIGALRM) or by hand must not leave a server on the host's network.
const removeAll = (): void => { for (const id of running) spawnSync('podman', ['rm', '--force', id]) }
process.on('exit', removeAll)
for (const signal of ['SIGALRM', 'SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => { removeAll(); process.kill(process.pid, signal) })
}

/** Stop and remove a container `runImage` started. */
export async function removeContainer (id: string): Promise<void> {
  await run('podman', ['rm', '--force', id])
  running.delete(id)
}

/**
 * Start the image detached on the host's network. Without systemd, podman
 * logs that it cannot schedule the health check timer; `podman healthcheck
 * run` still runs the check on demand.
 */
export async function runImage (image: string, env: Record<string, string>): Promise<string> {
  const vars = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`])
  const id = lastLine(await run('podman', ['run', '--detach', ...FLAGS, ...vars, image]))
  running.add(id)
  return id
}

/** Resolves with the container's log once a line matches, rejects at the deadline or when it exits first. */
export async function logMatch (container: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const follow = spawn('podman', ['logs', '--follow', container], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms:\n${out}`)), timeoutMs)
      const onData = (chunk: Buffer): void => {
        out += chunk.toString()
        if (pattern.test(out)) { clearTimeout(timer); resolve(out) }
      }
      follow.stdout.on('data', onData)
      follow.stderr.on('data', onData)
      follow.once('close', () => { clearTimeout(timer); reject(new Error(`container ended before ${String(pattern)}:\n${out}`)) })
    })
  } finally {
    follow.kill()
  }
}
