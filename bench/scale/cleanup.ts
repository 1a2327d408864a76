import type { ChildProcess } from 'node:child_process'

/**
 * Everything the scale run starts is registered here and ended on every way
 * out: normal end, error, SIGINT/SIGTERM. `teardown` has the shape the test
 * support's Redis starter expects, so the Redis Cluster it starts is ended
 * the same way.
 */
const tasks: Array<() => unknown> = []
const children = new Set<ChildProcess>()

export const cleanup = {
  teardown (fn: () => unknown): void { tasks.push(fn) },

  /** Remember a child; it is killed at the end if it is still running. */
  track<C extends ChildProcess> (child: C): C {
    children.add(child)
    child.once('exit', () => children.delete(child))
    return child
  },

  /** Run the teardowns (newest first), then kill what is left. */
  async run (): Promise<void> {
    for (const fn of tasks.splice(0).reverse()) {
      try { await fn() } catch (err) { process.stderr.write(`cleanup: ${String(err)}\n`) }
    }
    killAll()
  }
}

function killAll (): void {
  for (const child of children) child.kill('SIGKILL')
}

// Synchronous last resort: whatever way the process ends, no instance, balancer or client outlives it.
process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nscale: ${signal}, cleaning up\n`)
    void cleanup.run().finally(() => process.exit(130))
  })
}
