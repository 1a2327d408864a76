import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import { CLIENT_CPU, nextMessage, spawnNode } from './proc.js'

/** The identity secret of the gateway scenario (the echo does not verify it: it measures the relay, not a JWT check). */
const UPSTREAM_SECRET = 'benchmark-upstream-secret-0123456789abcdef'

/**
 * The gateway scenario's chat server: the bare `ws` echo, pinned with the load
 * generator so the service keeps its core as the direct echo does in its row.
 */
export async function startUpstreamEcho (): Promise<{ child: ChildProcess, env: Record<string, string> }> {
  const child = spawnNode(fileURLToPath(new URL('../servers/bare.js', import.meta.url)), ['ws'], CLIENT_CPU, {})
  const port = await nextMessage(child, (m: { kind?: string, port?: number }) => m.kind === 'ready' ? m.port : undefined, 30_000)
  return { child, env: { UPSTREAM_URL: `ws://127.0.0.1:${port}`, UPSTREAM_SECRET } }
}
