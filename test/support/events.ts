import type { EventEmitter } from 'node:events'

/**
 * The arguments of the first `name` event that `match` accepts, or a rejection
 * after `ms`: a wait on what the code reports as done, with a deadline.
 * Subscribe (call this) before doing what triggers the event.
 */
export async function waitFor (
  emitter: EventEmitter<any>, name: string, match: (...args: any[]) => boolean = () => true, ms = 5000
): Promise<unknown[]> {
  const source = emitter as EventEmitter
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.off(name, listener)
      reject(new Error(`no matching '${name}' event within ${ms} ms`))
    }, ms)
    function listener (...args: unknown[]): void {
      if (!match(...args)) return
      clearTimeout(timer)
      source.off(name, listener)
      resolve(args)
    }
    source.on(name, listener)
  })
}

/** The removal of one session's record finished (liveSockets' `removal` event). */
export const removalOf = async (events: EventEmitter<any>, sessionId: string, ms?: number) =>
  await waitFor(events, 'removal', (id: string) => id === sessionId, ms)

/** `promise`, or a rejection after `ms`; its timer also keeps the process up while the code waits on unref'd ones. */
export async function within<T> (promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`not done within ${ms} ms`)) }, ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}
