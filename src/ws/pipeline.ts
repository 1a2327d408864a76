import type { WebSocket } from 'ws'
import { createAuthenticators } from './authenticators.js'
import { Connection, type ConnectionDeps } from './connection.js'
import { createMessageRegistry, type MessageDefinition } from './handlers.js'
import { createLocalSink } from './local-sink.js'

export type PipelineOptions = Omit<ConnectionDeps, 'authenticators' | 'sink' | 'config'> & {
  config: ConnectionDeps['config'] & Parameters<typeof createAuthenticators>[0]
  messages?: readonly MessageDefinition<any>[]
}

/** Assembled once per route: every connection shares one dependencies object (none kept per socket). */
export function createPipeline ({ messages, ...deps }: PipelineOptions) {
  const shared: ConnectionDeps = {
    ...deps,
    authenticators: createAuthenticators(deps.config),
    sink: createLocalSink(createMessageRegistry(messages))
  }
  return (socket: WebSocket, clientIp: string): Connection => new Connection(socket, clientIp, shared)
}
