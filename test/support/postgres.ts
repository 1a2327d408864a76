import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import tap from 'tap'

/**
 * Real PostgreSQL for tests: DATABASE_URL's server when set, otherwise a throwaway
 * cluster (initdb + pg_ctl, as the `postgres` OS user when we are root) on a free port,
 * started once per test process. Every caller gets its own database, so tap's parallel
 * jobs never share tables, advisory locks or NOTIFY channels. Without PostgreSQL the
 * tests are skipped with a loud notice, and fail under CI=true.
 */
const run = promisify(execFile)
type Tap = { teardown: (fn: () => unknown) => void }

/** A PostgreSQL binary from PATH, else from Debian's /usr/lib/postgresql/<version>/bin (newest first). */
function binary (name: string): string | undefined {
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map(v => `/usr/lib/postgresql/${v}/bin`)
    : []
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...debian]
  return dirs.map(dir => join(dir, name)).find(file => existsSync(file))
}

/** initdb refuses to run as root: then every cluster command runs as the `postgres` OS user. */
const asRoot = process.getuid?.() === 0
const command = (file: string, args: string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

export interface Cluster {
  port: number
  url: (database?: string) => string
  /** `pg_ctl stop -m fast`: connections are terminated, new ones refused. */
  stop: () => Promise<void>
  start: () => Promise<void>
  /** SIGSTOP / SIGCONT every process of the cluster: a server that hangs without closing anything. */
  freeze: (signal: 'SIGSTOP' | 'SIGCONT') => void
  destroy: () => void
}

/** A new throwaway cluster; a string says why none can be made. */
export async function createCluster (): Promise<Cluster | string> {
  const initdb = binary('initdb')
  const pgCtl = binary('pg_ctl')
  if (initdb === undefined || pgCtl === undefined) return 'initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin'
  const dir = mkdtempSync(join(tmpdir(), 'ws-ticket-pg-'))
  const data = join(dir, 'data')
  const port = await freePort()
  const ctl = async (...args: string[]) => await run(...command(pgCtl, ['-D', data, ...args]))
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
  const cluster: Cluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async () => { await ctl('-m', 'fast', '-w', 'stop') },
    start: async () => { await ctl('-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start') },
    freeze: (signal) => {
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
      const children = spawnSync('pgrep', ['-P', String(postmaster)]).stdout.toString().split('\n').filter(Boolean).map(Number)
      for (const pid of [postmaster, ...children]) process.kill(pid, signal)
    },
    destroy: () => {
      try { cluster.freeze('SIGCONT') } catch {} // a frozen cluster would not stop
      spawnSync(...command(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']))
      rmSync(dir, { recursive: true, force: true })
    }
  }
  try {
    if (asRoot) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString())
      chownSync(dir, id('-u'), id('-g'))
    }
    await run(...command(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']))
    await cluster.start()
  } catch (err) {
    cluster.destroy()
    return `could not start a throwaway cluster: ${(err as Error).message.split('\n')[0]}`
  }
  // Also on a crash or an interrupted run: no stray postgres left behind.
  process.once('exit', cluster.destroy)
  return cluster
}

/** Loud, and fatal under CI=true: a CI run must not go green on skipped PostgreSQL tests. */
function unavailable (reason: string): string {
  const message = `PostgreSQL tests SKIPPED: ${reason}. Set DATABASE_URL or install PostgreSQL (initdb, pg_ctl).`
  if (process.env.CI === 'true') throw new Error(message)
  process.stderr.write(`\n*** ${message} ***\n\n`)
  return message
}

interface Server { adminUrl: string, throwaway: boolean }
let server: Promise<Server | string> | undefined

async function shared (): Promise<Server | string> {
  const url = process.env.DATABASE_URL
  if (url !== undefined && url !== '') return { adminUrl: url, throwaway: false }
  const cluster = await createCluster()
  if (typeof cluster === 'string') return cluster
  tap.teardown(cluster.destroy)
  return { adminUrl: cluster.url(), throwaway: true }
}

/** Replace the database of a connection URL. */
function withDatabase (url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export interface PostgresForTests {
  /** A skip reason for `t.test(name, { skip }, …)`, or false when PostgreSQL is here. */
  skip: string | false
  /** A fresh, empty database; its URL. */
  database: () => Promise<string>
}

/** The PostgreSQL server this test process uses (started on first call). */
export async function postgresForTests (): Promise<PostgresForTests> {
  server ??= shared()
  const found = await server
  if (typeof found === 'string') return { skip: unavailable(found), database: async () => { throw new Error(found) } }
  return {
    skip: false,
    async database () {
      const name = `tap_${process.pid}_${randomBytes(4).toString('hex')}`
      const admin = new pg.Client({ connectionString: found.adminUrl })
      await admin.connect()
      await admin.query(`CREATE DATABASE ${name}`)
      await admin.end()
      // On a shared server: dropped when the test process ends, after every store in it has closed.
      if (!found.throwaway) {
        tap.teardown(async () => {
          const dropper = new pg.Client({ connectionString: found.adminUrl })
          await dropper.connect()
          await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
          await dropper.end()
        })
      }
      return withDatabase(found.adminUrl, name)
    }
  }
}

/** A cluster of its own, for tests that stop and restart the server; destroyed when `t` ends. */
export async function ownCluster (t: Tap): Promise<Cluster | string> {
  const cluster = await createCluster()
  if (typeof cluster === 'string') return unavailable(cluster)
  t.teardown(cluster.destroy)
  return cluster
}

/** One statement on its own connection, for setting up and inspecting rows. */
export async function sql<Row extends pg.QueryResultRow = any> (url: string, text: string, values?: unknown[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<Row>(text, values)).rows
  } finally {
    await client.end()
  }
}
