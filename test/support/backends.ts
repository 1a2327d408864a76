import type { Test } from 'tap'
import { createMemoryStore } from '../../src/stores/memory.js'
import type { Store } from '../../src/stores/types.js'
import { withFaults } from './faults.js'

/**
 * One data set shared by several service instances, with a way to break the
 * path to it. `connect()` returns a store that sees the same tickets and
 * sessions as every other store it returned (instances on one Redis or
 * PostgreSQL); `outage`, `slow` and `heal` act on every one of them.
 */
export interface BackendHandle {
  connect: () => Promise<Store>
  /** Every store operation fails as an unreachable backend's would. */
  outage: () => Promise<void>
  /** Every store operation takes `ms` longer. */
  slow: (ms: number) => Promise<void>
  /** Back to normal. */
  heal: () => Promise<void>
}

export interface SharedBackend {
  name: string
  /** Fresh, empty data for one test, disposed of when it ends. */
  open: (t: Test) => Promise<BackendHandle>
}

/** In process: one memory store behind a fault switch; every instance gets the same object. */
const memory: SharedBackend = {
  name: 'memory',
  async open (t) {
    const real = createMemoryStore()
    t.teardown(() => real.close())
    const faults = withFaults(real)
    return {
      // Like a client of a shared server: an instance closing its store leaves the data to the others.
      connect: async () => ({ ...faults.store, close: async () => {} }),
      outage: async () => { faults.fail('issueTicket', 'consumeTicket', 'createSession', 'getSession', 'removeSession', 'listSessions', 'publish') },
      slow: async (ms) => { faults.delay(ms) },
      heal: async () => { faults.heal(); faults.delay(0) }
    }
  }
}

/**
 * The backends the multi-instance suites (test/routes/ws-races.test.ts,
 * ws-outage.test.ts) run against. A server backend adds an entry whose
 * `connect` opens a client to its test server through a TCP proxy
 * (test/support/proxy.ts), and whose `outage`/`slow`/`heal` drive that proxy.
 */
export const backends: SharedBackend[] = [memory]
