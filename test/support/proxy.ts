import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { once } from 'node:events'

interface ProxyState { delayMs: number, paused: boolean, repliesPaused: boolean }

/**
 * Chunks one way through the proxy, in order: each is held until its due
 * time (now + delay, never before the chunk ahead of it) and while paused.
 */
class Lane {
  private readonly queue: Array<{ chunk: Buffer, due: number }> = []
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly to: Socket, private readonly proxy: ProxyState, private readonly replies = false) {}

  push (chunk: Buffer): void {
    const last = this.queue.at(-1)?.due ?? 0
    this.queue.push({ chunk, due: Math.max(Date.now() + this.proxy.delayMs, last) })
    this.drain()
  }

  drain (): void {
    clearTimeout(this.timer)
    while (!this.proxy.paused && !(this.replies && this.proxy.repliesPaused) && this.queue.length > 0) {
      const wait = this.queue[0].due - Date.now()
      if (wait > 0) {
        this.timer = setTimeout(() => { this.drain() }, wait)
        return
      }
      const { chunk } = this.queue.shift() as { chunk: Buffer }
      if (!this.to.destroyed) this.to.write(chunk)
    }
  }
}

export type Proxy = Awaited<ReturnType<typeof startProxy>>

/**
 * A TCP proxy in front of a backend (Redis, PostgreSQL), for fault tests:
 * latency in both directions (`delay`), a hang (`pause`/`resume`), a restart
 * (`killConnections`), an outage (`stop`: connections refused) and recovery
 * (`start`, on the same port).
 */
export async function startProxy (target: { host?: string, port: number }, listenPort = 0) {
  const state: ProxyState = { delayMs: 0, paused: false, repliesPaused: false }
  const pairs = new Set<[Socket, Socket, Lane, Lane]>()
  let server: Server | undefined
  let port = listenPort
  let requests = 0

  function onConnection (client: Socket): void {
    const upstream = connect(target.port, target.host ?? '127.0.0.1')
    const pair: [Socket, Socket, Lane, Lane] = [client, upstream, new Lane(upstream, state), new Lane(client, state, true)]
    pairs.add(pair)
    client.on('data', chunk => { requests++; pair[2].push(chunk) })
    upstream.on('data', chunk => { pair[3].push(chunk) })
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', end)
      socket.on('close', end)
    }
  }

  async function start (): Promise<void> {
    server = createServer(onConnection)
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as AddressInfo).port
  }

  function killConnections (): void {
    for (const [client, upstream] of pairs) {
      client.destroy()
      upstream.destroy()
    }
    pairs.clear()
  }

  await start()
  return {
    get port () { return port },
    /** Open client connections. */
    get connections () { return pairs.size },
    /**
     * Chunks received from clients so far, over every connection: one per write a client made
     * (pipelined commands leave in one write), so one per round trip it waits for, as long as two
     * writes are never sent close enough together to arrive as one chunk.
     */
    get requests () { return requests },
    /** Hold every chunk `ms` longer, both ways (0: none). */
    delay (ms: number): void { state.delayMs = ms },
    /** Hold all traffic, as a hung backend would; connections stay open. */
    pause (): void { state.paused = true },
    /** Hold only the backend's answers: requests still arrive and run, their replies are lost to a client timeout. */
    pauseReplies (): void { state.repliesPaused = true },
    resume (): void {
      state.paused = false
      state.repliesPaused = false
      for (const [, , up, down] of pairs) { up.drain(); down.drain() }
    },
    /** Drop every open connection, as a backend restart would. */
    killConnections,
    /** Stop listening and drop every connection: the backend is down (connections are refused). */
    async stop (): Promise<void> {
      killConnections()
      await new Promise(resolve => (server as Server).close(resolve))
    },
    /** Listen again on the same port: the backend is back. */
    start,
    async close (): Promise<void> {
      killConnections()
      if (server?.listening === true) await new Promise(resolve => (server as Server).close(resolve))
    }
  }
}
