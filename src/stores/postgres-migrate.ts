import { readdir, readFile } from 'node:fs/promises'
import type pg from 'pg'
import { withClient } from './postgres-pool.js'

/** Where the versioned `NNN_name.sql` files live (copied next to the compiled file by `npm run build`). */
export const MIGRATIONS_DIR = new URL('./postgres-migrations/', import.meta.url)

/** Session-level advisory lock held while migrating: instances starting together take turns. */
const MIGRATION_LOCK = '7316230001'

const FILE = /^(\d+)_([\w-]+)\.sql$/

/**
 * Apply the migrations that are not recorded yet, each in its own transaction, in version
 * order. Idempotent: a second run (or a second instance that waited for the lock) finds
 * everything recorded and does nothing. Returns the versions it applied.
 */
export async function migrate (pool: pg.Pool, dir: URL = MIGRATIONS_DIR): Promise<number[]> {
  const files = (await readdir(dir)).filter(f => FILE.test(f)).sort()
  return await withClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await client.query(`CREATE TABLE IF NOT EXISTS websocket_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await client.query<{ version: number }>('SELECT version FROM websocket_schema_migrations')
    const done = new Set(rows.map(r => r.version))
    const applied: number[] = []
    for (const file of files) {
      const [, version, name] = FILE.exec(file) as RegExpExecArray
      if (done.has(Number(version))) continue
      const sql = await readFile(new URL(file, dir), 'utf8')
      await client.query('BEGIN')
      await client.query(sql)
      await client.query('INSERT INTO websocket_schema_migrations (version, name) VALUES ($1, $2)', [Number(version), name])
      await client.query('COMMIT')
      applied.push(Number(version))
    }
    // On failure the connection is dropped instead: that rolls back the open migration and frees the lock.
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
    return applied
  })
}
