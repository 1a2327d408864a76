import fastJson from 'fast-json-stringify'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { FormatRegistry, type TSchema } from '@sinclair/typebox'
import { ServerMessageSchemas, messageType, type ServerMessage } from './messages.js'

type Serializer = (msg: unknown) => string

// TypeBox's compiler knows no formats by itself; frames use the same ISO 8601 rule as the HTTP schemas.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i
FormatRegistry.Set('date-time', value => ISO_8601.test(value) && !Number.isNaN(Date.parse(value)))

/**
 * The schema a serializer is compiled from: a property that is a union of
 * plain types (`originalTimestamp`: string or number) becomes a type list.
 * fast-json-stringify picks an `anyOf` branch by running ajv on every value
 * (~0.2 µs a pong, profiled); a type list writes the same bytes without it.
 * Serialisation only: the published schemas keep their unions.
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

/** One compiled serializer per server message type, built once at module load. */
const serializers = new Map<string, Serializer>(
  ServerMessageSchemas.map(schema => [messageType(schema), fastJson(serializationSchema(schema)) as Serializer])
)

/** Serialise a server message through its schema (falls back to JSON for application-defined types). */
export function serialize (msg: ServerMessage | { type: string }): string {
  const serializer = serializers.get(msg.type)
  return serializer === undefined ? JSON.stringify(msg) : serializer(msg)
}

let lastMs = 0
let lastIso = ''
/** Now in ISO 8601, as every server message's `timestamp`: formatted once per millisecond, not once per message. */
export function isoNow (): string {
  const now = Date.now()
  if (now !== lastMs) {
    lastMs = now
    lastIso = new Date(now).toISOString()
  }
  return lastIso
}

/** Compile a message checker once; frames are then checked without recompiling. */
export function compileChecker<T extends TSchema> (schema: T): TypeCheck<T> {
  return TypeCompiler.Compile(schema)
}

/** The first schema violation of a value, as `path: message`, for INVALID_MESSAGE texts. */
export function firstError (check: TypeCheck<TSchema>, value: unknown): string {
  const error = check.Errors(value).First()
  /* c8 ignore next -- only called after Check() failed, so an error exists */
  if (error === undefined) return 'invalid message'
  return `${error.path} ${error.message}`
}
