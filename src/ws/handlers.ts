import type { Static, TObject, TLiteral, TSchema } from '@sinclair/typebox'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import type { FastifyBaseLogger } from 'fastify'
import { compileChecker } from '../protocol/checkers.js'
import { isoNow } from '../protocol/clock.js'
import {
  ChatMessageSchema, ConfigureToolsSchema, HeartbeatPingSchema, messageType, type HeartbeatPing, type ServerMessage
} from '../protocol/messages.js'
import type { SessionRecord } from '../stores/types.js'

type Timestamped = 'timestamp' | 'id'
/** A server message without the fields the server fills in (`timestamp`, and `id` for replies). */
export type Outgoing = ServerMessage extends infer M ? M extends ServerMessage ? Omit<M, Timestamped> : never : never

/** A built-in type must match its schema; an application's own type is sent as given. */
export type OutgoingMessage<M extends { type: string }> =
  (M['type'] extends ServerMessage['type'] ? Extract<Outgoing, { type: M['type'] }> : M) & M

export interface MessageContext {
  session: Readonly<SessionRecord>
  /** Answer this message: the client's `id` is echoed. */
  reply: <M extends { type: string }>(message: OutgoingMessage<M>) => void
  /** Per-connection state that lives as long as the socket (configured tools, application data). */
  state: Record<string, unknown>
  log: FastifyBaseLogger
}

export type MessageSchema = TObject<{ type: TLiteral<string> } & Record<string, TSchema>>

export interface MessageDefinition<T extends MessageSchema = MessageSchema> {
  schema: T
  handler: (message: Static<T>, ctx: MessageContext) => void | Promise<void>
}

/** Type a handler from its schema, which every frame is checked against before the handler runs. */
export function defineMessage<T extends MessageSchema> (
  schema: T, handler: (message: Static<T>, ctx: MessageContext) => void | Promise<void>
): MessageDefinition<T> {
  return { schema, handler }
}

export const chatEcho = defineMessage(ChatMessageSchema, (msg, ctx) => {
  ctx.reply({ type: 'chat_response', content: `Echo: ${msg.content}` })
})

export const configureTools = defineMessage(ConfigureToolsSchema, (msg, ctx) => {
  ctx.state.tools = msg.toolSchemas
  ctx.reply({ type: 'tools_configured', toolCount: msg.toolSchemas.length })
})

export const heartbeat = defineMessage(HeartbeatPingSchema, (msg, ctx) => {
  ctx.reply({ type: 'heartbeat_pong', originalTimestamp: msg.timestamp, pingTime: msg.pingTime })
})

/** `heartbeat`'s reply without a context or a copy: the most frequent frame (test/ws/heartbeat.test.ts holds them equal). */
export function heartbeatPong (msg: HeartbeatPing, id: string | undefined): ServerMessage {
  return { type: 'heartbeat_pong', id, originalTimestamp: msg.timestamp, pingTime: msg.pingTime, timestamp: isoNow() }
}

export interface CompiledMessage {
  check: TypeCheck<TSchema>
  handler: MessageDefinition['handler']
  answer?: typeof heartbeatPong
}

/** The built-in handlers, replaced or extended by the application's, each schema compiled once. */
export function createMessageRegistry (custom: readonly MessageDefinition<any>[] = []): Map<string, CompiledMessage> {
  const registry = new Map<string, CompiledMessage>()
  for (const def of [chatEcho, configureTools, heartbeat, ...custom] as MessageDefinition[]) {
    const type = messageType(def.schema)
    // The Connection and the Session answer these before any handler.
    if (type === 'ticket_authenticate' || type === 'session_refresh') throw new Error(`${type} cannot be replaced`)
    registry.set(type, { check: compileChecker(def.schema), handler: def.handler, answer: def.handler === heartbeat.handler ? heartbeatPong : undefined })
  }
  return registry
}
