import WebSocket from 'ws'
import type { App } from '../helper.js'
import { tokenFor } from '../helper.js'
import type { Client, ClientOptions, StateChange } from '../../src/client/index.js'

/** Client options for a listening test app: Node's `ws` as the WebSocket, short backoff. */
export function clientOptions (app: App, http: string, userId = 'alice', extra: Partial<ClientOptions> = {}): ClientOptions {
  return {
    ticketUrl: `${http}/api/websocket/ticket`,
    wsUrl: `${http.replace('http', 'ws')}/ws`,
    getToken: () => tokenFor(app, userId),
    serverKey: 'UD21',
    user: userId,
    WebSocket,
    backoff: { initialMs: 20, maxMs: 200 },
    ...extra
  }
}

/** Every state change of a client, and a way to wait for the next one that matches. */
export function track (client: Client<any, any>) {
  const seen: StateChange[] = []
  const waiters: Array<{ match: (c: StateChange) => boolean, resolve: (c: StateChange) => void }> = []
  client.onState(change => {
    seen.push(change)
    for (const w of [...waiters]) {
      if (w.match(change)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(change)
      }
    }
  })
  return {
    seen,
    states: () => seen.map(c => c.state),
    next: (match: (c: StateChange) => boolean, timeoutMs = 5000) => new Promise<StateChange>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching state within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`)), timeoutMs)
      waiters.push({ match, resolve: c => { clearTimeout(timer); resolve(c) } })
    })
  }
}
