import fastJson from 'fast-json-stringify'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { FormatRegistry, type TSchema } from '@sinclair/typebox'
import { ServerMessageSchemas, messageType, type ServerMessage } from './messages.js'

type Serializer = (msg: unknown) => string

// TypeBox's compiler knows no formats by itself; frames use the same ISO 8601 rule as the HTTP schemas.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i
FormatRegistry.Set('date-time', value => ISO_8601.test(value) && !Number.isNaN(Date.parse(value)))

/** One compiled serializer per server message type, built once at module load. */
const serializers = new Map<string, Serializer>(
  ServerMessageSchemas.map(schema => [messageType(schema), fastJson(schema) as Serializer])
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
