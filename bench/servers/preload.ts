import { appendFileSync, writeFileSync } from 'node:fs'
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8'
import { Session } from 'node:inspector/promises'

/**
 * Loaded with `node --import` into the service exactly as `npm start` runs it
 * (dist/src/server.js): the benchmark's IPC, nothing else. Collects garbage on
 * request (for RSS readings) and profiles exactly the measured window
 * (`--profile`), not the start-up.
 */
const send = (msg: unknown): void => { process.send?.(msg) }
let session: Session | undefined

/**
 * Resident bytes of V8's young generation. V8 grows it with the allocation
 * rate (up to 2 × 16 MiB) and a GC does not give it back: RSS read after busy
 * setup traffic includes it, however few sockets stay open.
 */
function youngGeneration (): number {
  return getHeapSpaceStatistics()
    .filter(space => space.space_name.startsWith('new_'))
    .reduce((sum, space) => sum + space.physical_space_size, 0)
}

process.on('message', async (msg: { kind?: string, file?: string }) => {
  if (msg.kind === 'gc') {
    // Twice: the first pass finalises what the second frees.
    globalThis.gc?.()
    globalThis.gc?.()
    const usage = process.memoryUsage()
    // `--env BENCH_MEMORY_LOG=<file>`: every GC'd reading in full (external, arrayBuffers), to place RSS the heap does not hold.
    if (process.env.BENCH_MEMORY_LOG !== undefined) appendFileSync(process.env.BENCH_MEMORY_LOG, `${JSON.stringify({ at: Date.now(), pid: process.pid, ...usage, young: youngGeneration() })}\n`)
    send({ kind: 'gc-done', heapUsed: usage.heapUsed, young: youngGeneration() })
  } else if (msg.kind === 'heap-snapshot') {
    writeHeapSnapshot(msg.file)
    send({ kind: 'heap-written' })
  } else if (msg.kind === 'profile-start') {
    session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    send({ kind: 'profile-started' })
  } else if (msg.kind === 'profile-stop' && session !== undefined) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(msg.file as string, JSON.stringify(profile))
    session.disconnect()
    session = undefined
    send({ kind: 'profile-stopped' })
  }
})
// The runner going away ends the server, whatever state it is in.
process.on('disconnect', () => process.exit(0))
