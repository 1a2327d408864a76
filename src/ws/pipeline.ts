import type { WebSocket } from 'ws'
import type { AppConfig } from '../config.js'
import { createAuthenticators } from './authenticators.js'
import { Connection, type ConnectionDeps } from './connection.js'
import { createMessageRegistry, type MessageDefinition } from './handlers.js'
import { createLocalSink } from './local-sink.js'
import { createUpstreamSink } from './upstream-sink.js'

export type PipelineOptions = Omit<ConnectionDeps, 'authenticators' | 'sink' | 'config'> & {
  config: ConnectionDeps['config'] & Parameters<typeof createAuthenticators>[0] & Pick<AppConfig, 'upstream'>
  messages?: readonly MessageDefinition<any>[]
}

/** Assembled once per route: every connection shares one dependencies object (none kept per socket). */
export function createPipeline ({ messages, ...deps }: PipelineOptions) {
  const local = createLocalSink(createMessageRegistry(messages))
  const { upstream, maxBufferedBytes } = deps.config
  const shared: ConnectionDeps = {
    ...deps,
    authenticators: createAuthenticators(deps.config),
    sink: upstream === undefined ? local : createUpstreamSink(local, { upstream, maxBufferedBytes, metrics: deps.metrics, log: deps.log })
  }
  return (socket: WebSocket, clientIp: string): Connection => new Connection(socket, clientIp, shared)
}
