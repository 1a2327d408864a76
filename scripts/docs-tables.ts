import type { TSchema } from '@sinclair/typebox'
import { EnvSchema } from '../src/config.js'
import * as errors from '../src/protocol/errors.js'
import { ClientMessageSchema, ServerMessageSchemas } from '../src/protocol/messages.js'

/**
 * The parts of the docs that are facts of the code, written from it: the
 * error table, the close codes, the message catalogue and the environment.
 * `npm run docs` writes them; test/docs-protocol.test.ts fails when the
 * committed files differ, so a new code or message cannot go undocumented.
 */
const cell = (value: unknown) => value === undefined ? '—' : String(value).replaceAll('|', '\\|')
const row = (cells: unknown[]) => `| ${cells.map(cell).join(' | ')} |`
const table = (head: string[], rows: unknown[][]) =>
  [row(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n')

/** One field of a schema in a line: `name?: string ≤ 64`. */
function field (schema: TSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.anyOf !== undefined) return (schema.anyOf as TSchema[]).map(field).join(' | ')
  if (schema.type === 'object' && Object.keys(schema.properties as object).length > 0) return `{ ${names(schema).join(', ')} }`
  const limits = [schema.minLength !== undefined && `≥ ${String(schema.minLength)}`, schema.maxLength !== undefined && `≤ ${String(schema.maxLength)}`,
    schema.maxItems !== undefined && `≤ ${String(schema.maxItems)} items`, schema.format, schema.pattern !== undefined && `\`${String(schema.pattern)}\``]
  const kind = schema.type === 'array' ? `${field(schema.items as TSchema)}[]` : String(schema.type)
  return [kind, ...limits.filter(Boolean)].join(' ')
}
const names = (schema: TSchema) => Object.keys(schema.properties as object)
  .map(name => `${name}${(schema.required as string[] | undefined)?.includes(name) === true ? '' : '?'}`)
const fields = (schema: TSchema) => names(schema)
  .map(name => [name, (schema.properties as Record<string, TSchema>)[name.replace(/\?$/, '')]] as const)
  .filter(([name]) => name !== 'type')
  .map(([name, sub]) => `\`${name}\`: ${field(sub)}`)
  .join('<br>')
const messages = (schemas: readonly TSchema[]) =>
  table(['type', 'fields (`?` optional)', 'note'], schemas.map(s => [`\`${String(s.properties.type.const)}\``, fields(s), s.description]))

export function protocolTables (): Record<string, string> {
  const codes = Object.entries(errors.ERRORS) as Array<[string, { status?: number, close?: number, type?: string, text: string }]>
  const closes = Object.entries(errors).filter(([name, value]) => name.startsWith('CLOSE_') && typeof value === 'number')
  return {
    errors: table(['code', 'HTTP', 'close', 'WebSocket message', '`error` text'], codes.map(([code, e]) => [`\`${code}\``, e.status, e.close, e.type, e.text])),
    'close-codes': table(['close', 'name in src/protocol/errors.ts'], closes.map(([name, value]) => [value, `\`${name}\``])),
    'client-messages': messages(ClientMessageSchema.anyOf),
    'server-messages': messages(ServerMessageSchemas),
    environment: table(['variable', 'default', 'meaning'], Object.entries(EnvSchema.properties as Record<string, TSchema>)
      .map(([name, s]) => [`\`${name}\``, s.default === undefined ? undefined : `\`${String(s.default)}\``, s.description]))
  }
}

/** Replace the body of every `<!-- generated:NAME -->…<!-- /generated:NAME -->` block; a block without a table is an error. */
export function fillGenerated (doc: string, tables: Record<string, string>): string {
  return doc.replace(/(<!-- generated:([a-z-]+) -->)[\s\S]*?(<!-- \/generated:\2 -->)/g, (_, open: string, name: string, close: string) => {
    if (tables[name] === undefined) throw new Error(`no generated table named ${name}`)
    return `${open}\n${tables[name]}\n${close}`
  })
}

/** `.env.example`: every variable, commented out at its default. */
export function envExample (): string {
  const lines = [
    '# Every variable the service reads (src/config.ts), at its default. Written by `npm run docs`.',
    '# Copy this file to .env (cp .env.example .env) and uncomment what you change: `npm start` and',
    '# `npm run dev` read .env from the working directory; a variable set in the environment wins.'
  ]
  for (const [name, schema] of Object.entries(EnvSchema.properties as Record<string, TSchema>)) {
    lines.push('', `# ${String(schema.description)}`, `# ${name}=${schema.default === undefined ? '' : String(schema.default)}`)
  }
  return `${lines.join('\n')}\n`
}
