import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { connect } from 'node:net'
import { join } from 'node:path'
import { freePort, listening } from '../lib/targets.js'
import { cleanup } from './cleanup.js'

/** Why HAProxy cannot run here, or undefined when it can. */
export const HAPROXY_MISSING = spawnSync('haproxy', ['-v']).status === 0 ? undefined : 'haproxy not found on PATH (Debian: apt-get install -y haproxy)'

/** Connections one HAProxy process may hold: two descriptors each, under the 20,000-file limit per process. */
export const BALANCER_MAX_CONNECTIONS = 9000

/**
 * The balancer's configuration. HTTP mode, so the upgrade is seen and the
 * connection becomes a tunnel (`timeout tunnel` then governs idle sockets);
 * `leastconn` suits long-lived sockets; `/health` checks every 500 ms take a
 * stopping instance out (it refuses or answers 503 at once; a check may take
 * 2 s, more than /health's own event round trip), and a refused connection is retried on another
 * server (`retries` + `option redispatch`).
 */
export function haproxyConfig (port: number, backends: number[], statsSocket: string): string {
  return [
    'global',
    `  maxconn ${BALANCER_MAX_CONNECTIONS}`,
    `  stats socket ${statsSocket}`,
    '  ulimit-n 19500',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    '  timeout tunnel 1h',
    // /health may take up to its event round trip's deadline (1 s) to answer: a shorter check timeout
    // (by default `inter`, 500 ms) takes a slow but healthy instance out, and with every one out HAProxy answers 503.
    '  timeout check 2s',
    '  retries 3',
    '  option redispatch',
    'frontend ws',
    `  bind 127.0.0.1:${port}`,
    '  default_backend instances',
    'backend instances',
    '  balance leastconn',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    '  default-server inter 500 fall 1 rise 1',
    ...backends.map((p, i) => `  server i${i + 1} 127.0.0.1:${p} check`),
    ''
  ].join('\n')
}

export interface ServerStat { up: boolean, connections: number }

export interface Balancer {
  port: number
  pid: number
  /** Server `i` (0-based, as in `backends`) from HAProxy's stats socket: up by its health checks, and its current connections. */
  server: (i: number) => Promise<ServerStat>
  /** Why its health checks took instances out, from its warnings ("Server instances/i1 is DOWN, reason: …"), oldest first. */
  downReasons: string[]
}

/** HAProxy's `show stat` CSV, from its stats socket. */
function showStat (socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const socket = connect(socketPath, () => socket.end('show stat\n'))
    socket.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
    socket.once('end', () => resolve(out))
    socket.once('error', reject)
  })
}

async function serverStat (socketPath: string, name: string): Promise<ServerStat> {
  const [header, ...rows] = (await showStat(socketPath)).split('\n')
  const columns = header.replace(/^# /, '').split(',')
  const row = rows.map(r => r.split(',')).find(r => r[0] === 'instances' && r[1] === name) ?? []
  const column = (name: string): string => row[columns.indexOf(name)]
  return { up: column('status') === 'UP', connections: Number(column('scur')) }
}

/** Start HAProxy in the foreground with its own config in front of the instances. */
export async function startHaproxy (backends: number[]): Promise<Balancer> {
  const dir = mkdtempSync(join(tmpdir(), 'wsauth-haproxy-'))
  cleanup.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const port = await freePort()
  const config = join(dir, 'haproxy.cfg')
  const stats = join(dir, 'stats.sock')
  writeFileSync(config, haproxyConfig(port, backends, stats))
  const child = cleanup.track(spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] }))
  let tail = ''
  const downReasons: string[] = []
  let line = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-2000)
    const lines = (line + chunk).split('\n')
    line = lines.pop() as string
    for (const l of lines) {
      const down = /Server instances\/(\S+) is DOWN, reason: (.*?), check duration: (\d+ms)/.exec(l)
      if (down !== null) downReasons.push(`${down[1]}: ${down[2]} (${down[3]})`)
    }
  })
  try {
    await listening(child, port)
  } catch (err) {
    throw new Error(`haproxy did not start: ${(err as Error).message} ${tail.trim()}`)
  }
  return { port, pid: child.pid as number, server: async (i) => await serverStat(stats, `i${i + 1}`), downReasons }
}
