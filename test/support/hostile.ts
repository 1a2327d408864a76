import fc from 'fast-check'
import type WebSocket from 'ws'
import { ERRORS, WS_ERROR_CODES } from '../../src/protocol/errors.js'

/** Message types a hostile client tries: the protocol's, near misses and prototype names. */
export const TYPES = ['ticket_authenticate', 'chat_message', 'configure_tools', 'heartbeat_ping', 'authenticate', '__proto__', 'constructor', '']

/** Any JSON value, raw UTF-16 (lone surrogates included), and edge values: null, -0, huge numbers, NUL, long strings. */
export const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.constantFrom(null, true, -0, 1e308, '', '\u0000', '\ud800', 'x'.repeat(20_000))
)

/** Nesting far deeper than any schema: `[[[…]]]` or `{"a":{"a":…}}`. */
export const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
export const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)

/** Objects shaped like protocol messages, with wrong types, odd keys and prototype names. */
export const hostileMessage = fc.record({
  type: fc.oneof(fc.constantFrom(...TYPES), hostileValue),
  id: fc.oneof(fc.string({ maxLength: 80 }), hostileValue),
  ticket: hostileValue,
  content: hostileValue,
  toolSchemas: fc.oneof(fc.array(hostileValue, { maxLength: 200 }), hostileValue),
  timestamp: hostileValue,
  __proto__: fc.jsonValue(),
  constructor: hostileValue
}, { requiredKeys: [] }).map(o => JSON.stringify(o))

/** A frame a hostile client sends: text (string) or binary (Buffer). */
export const frames = fc.oneof(
  { arbitrary: hostileMessage, weight: 6 },
  { arbitrary: fc.jsonValue().map(v => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.string({ maxLength: 300 }), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 20_000 }).map(deep), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 512 }).map(bytes => Buffer.from(bytes)), weight: 1 }
)

/** Keys that must never reach a prototype, with values to put under them. */
const prototypeKeys = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), fc.jsonValue(), { maxKeys: 3 })

/**
 * A valid message bent out of shape: a field replaced by a hostile value,
 * dropped, or joined by prototype keys; sometimes left intact, so the
 * property also sees the valid case. Returns the object to send as JSON.
 */
export function mutated (valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.keys(valid)
  return fc.record({
    replace: fc.dictionary(fc.constantFrom(...fields, 'id'), hostileValue, { maxKeys: 2 }),
    drop: fc.subarray(fields),
    extra: prototypeKeys
  }).map(({ replace, drop, extra }) => {
    const out: Record<string, unknown> = { ...valid }
    for (const key of drop) Reflect.deleteProperty(out, key)
    // defineProperty: `out.__proto__ = …` would set the prototype instead of a key that JSON.stringify writes.
    for (const [key, value] of Object.entries({ ...extra, ...replace })) {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
    }
    return out
  })
}

/** How a message travels: as JSON text, as a binary frame, or as text cut inside a multi-byte UTF-8 character. */
export type Wire = 'text' | 'binary' | 'truncated-utf8'
export const wires = fc.constantFrom<Wire>('text', 'text', 'text', 'binary', 'truncated-utf8')

/** The bytes of a frame for a wire; truncated UTF-8 appends a character's first byte, so the JSON is also broken. */
export function encode (message: unknown, wire: Wire): string | Buffer {
  const json = JSON.stringify(message)
  if (wire === 'text') return json
  if (wire === 'binary') return Buffer.from(json)
  return Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from('€').subarray(0, 2), Buffer.from('}')])
}

/** Send a message over a wire: truncated UTF-8 goes as a text frame, as a hostile client would send it. */
export function sendOver (socket: WebSocket, message: unknown, wire: Wire): void {
  socket.send(encode(message, wire), { binary: wire === 'binary' })
}

/** Every error code and close code /ws may answer with. */
export const knownCodes = new Set<string>(WS_ERROR_CODES)
export const closeCodes = new Set<number>([...WS_ERROR_CODES.map(c => ERRORS[c].close), 1000, 1009])
/** The direct replies of the built-in message handlers. */
export const REPLY_TYPES: Record<string, string> = { chat_message: 'chat_response', configure_tools: 'tools_configured', heartbeat_ping: 'heartbeat_pong' }
