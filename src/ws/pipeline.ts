import type { WebSocket } from 'ws'
import { createAuthenticators } from './authenticators.js'
import { Connection, type ConnectionDeps } from './connection.js'
import { createMessageRegistry, type MessageDefinition } from './handlers.js'
import { createLocalSink } from './local-sink.js'

export type PipelineOptions = Omit<ConnectionDeps, 'authenticators' | 'sink' | 'config'> & {
  config: ConnectionDeps['config'] & Parameters<typeof createAuthenticators>[0]
  /** Application message handlers: replace the default echo, add message types. */
  messages?: readonly MessageDefinition<any>[]
}

/**
 * The connection pipeline of one route, assembled once: a socket handed to it
 * gets a Connection, the authenticators the configuration enables, and the
 * local message handlers as its sink.
 */
export function createPipeline ({ messages, ...deps }: PipelineOptions) {
  // One object for every connection: a socket keeps no dependencies of its own.
  const shared: ConnectionDeps = {
    ...deps,
    authenticators: createAuthenticators(deps.config),
    sink: createLocalSink(createMessageRegistry(messages))
  }
  return (socket: WebSocket, clientIp: string): Connection => new Connection(socket, clientIp, shared)
}
