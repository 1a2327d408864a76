import { StoreUnavailableError, type Store } from '../../src/stores/types.js'

type Method = 'issueTicket' | 'consumeTicket' | 'createSession' | 'getSession' | 'removeSession' | 'listSessions' | 'publish'

/**
 * A real store behind a fault switch: chosen operations fail as an unreachable
 * backend would, or are delayed, while everything else runs the real store.
 * For the error paths a healthy in-process store never takes.
 */
export function withFaults (store: Store) {
  const failing = new Set<Method>()
  let delayMs = 0
  const wrapped = { ...store } as Store
  for (const method of ['issueTicket', 'consumeTicket', 'createSession', 'getSession', 'removeSession', 'listSessions', 'publish'] as Method[]) {
    const real = store[method] as (...args: unknown[]) => Promise<unknown>
    ;(wrapped as unknown as Record<Method, unknown>)[method] = async (...args: unknown[]) => {
      if (delayMs > 0) await new Promise(resolve => setTimeout(resolve, delayMs))
      if (failing.has(method)) throw new StoreUnavailableError(`${method} failed (injected)`)
      return await real(...args)
    }
  }
  return {
    store: wrapped,
    fail: (...methods: Method[]) => { for (const m of methods) failing.add(m) },
    heal: () => { failing.clear() },
    delay: (ms: number) => { delayMs = ms }
  }
}
