import { STORE_OPERATIONS, StoreUnavailableError, type Store, type StoreOperation } from '../../src/stores/types.js'

/** Every operation but `ping`: health checks keep telling the truth about the real store. */
type Method = Exclude<StoreOperation, 'ping'>
export const FAULTABLE = STORE_OPERATIONS.filter((op): op is Method => op !== 'ping')

/**
 * A real store behind a fault switch: chosen operations fail as an unreachable
 * backend would, or are delayed, while everything else runs the real store.
 * For the error paths a healthy in-process store never takes.
 */
export function withFaults (store: Store) {
  const failing = new Set<Method>()
  let delayMs = 0
  const wrapped = { ...store } as Store
  for (const method of FAULTABLE) {
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
