import { ClientError } from './ticket.js'

interface Pending { resolve: (message: any) => void, reject: (error: Error) => void, timer: ReturnType<typeof setTimeout> }

/** Requests waiting for the server message that echoes their `id`. */
export class PendingRequests {
  private readonly byId = new Map<string, Pending>()

  /** Wait for the answer to `id`; rejects with REQUEST_TIMEOUT after `timeoutMs`. */
  wait<T> (id: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.byId.delete(id)
        reject(new ClientError({ code: 'REQUEST_TIMEOUT', message: `no reply to ${id} within ${timeoutMs} ms` }))
      }, timeoutMs)
      this.byId.set(id, { resolve, reject, timer })
    })
  }

  /** Hand a server message to the request it answers, if any. */
  settle (message: { id?: string }): void {
    const pending = message.id === undefined ? undefined : this.byId.get(message.id)
    if (pending === undefined) return
    clearTimeout(pending.timer)
    this.byId.delete(message.id as string)
    pending.resolve(message)
  }

  /** The connection is gone: no answer will come. */
  failAll (): void {
    for (const { reject, timer } of this.byId.values()) {
      clearTimeout(timer)
      reject(new ClientError({ code: 'DISCONNECTED', message: 'connection lost before the reply' }))
    }
    this.byId.clear()
  }
}
