import fastJson from 'fast-json-stringify'
import type { TSchema } from '@sinclair/typebox'
import { ServerMessageSchemas, messageType, type ServerMessage } from './messages.js'

type Serializer = (msg: unknown) => string

/**
 * A union of plain types becomes a type list: the same bytes, without
 * fast-json-stringify running ajv per value to pick a branch.
 */
export function serializationSchema (schema: TSchema): TSchema {
  const properties: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const branches = property.anyOf as TSchema[] | undefined
    const plain = branches?.every(branch => Object.keys(branch).join() === 'type')
    properties[name] = plain === true ? { type: (branches as TSchema[]).map(branch => branch.type) } : property
  }
  return { ...schema, properties }
}

const serializers = new Map<string, Serializer>(
  ServerMessageSchemas.map(schema => [messageType(schema), fastJson(serializationSchema(schema)) as Serializer])
)

/** Application-defined types have no schema here: plain JSON. */
export function serialize (msg: ServerMessage | { type: string }): string {
  const serializer = serializers.get(msg.type)
  return serializer === undefined ? JSON.stringify(msg) : serializer(msg)
}
