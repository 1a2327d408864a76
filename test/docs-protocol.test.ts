import t from 'tap'
import { readFileSync } from 'node:fs'
import { ERROR_CODES } from '../src/protocol/errors.js'
import { ClientMessageSchema, ServerMessageSchemas, messageType } from '../src/protocol/messages.js'
import { envExample, fillGenerated, protocolTables } from '../scripts/docs-tables.js'

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')
const protocol = read('docs/protocol.md')
const STALE = 'out of date with the code: run `npm run docs` and commit the result'

t.test('docs/protocol.md › its generated tables (codes, close codes, messages, environment) are those the code writes', async t => {
  t.equal(protocol, fillGenerated(protocol, protocolTables()), `docs/protocol.md is ${STALE}`)
  for (const name of Object.keys(protocolTables())) t.match(protocol, `<!-- generated:${name} -->\n|`, `the ${name} table is filled in`)
  t.throws(() => fillGenerated('<!-- generated:nope -->\n<!-- /generated:nope -->', {}), /no generated table named nope/)
})

t.test('.env.example › is the one the config schema writes, and says to copy it to .env', async t => {
  t.equal(read('.env.example'), envExample(), `.env.example is ${STALE}`)
  t.match(envExample(), 'Copy this file to .env')
})

t.test('docs/protocol.md › the prose explains every error code and message type, not only the tables', async t => {
  const prose = protocol.replace(/<!-- generated:([a-z-]+) -->[\s\S]*?<!-- \/generated:\1 -->/g, '')
  const types = [...ClientMessageSchema.anyOf, ...ServerMessageSchemas].map(messageType)
  for (const code of ERROR_CODES) t.match(prose, new RegExp(`\\b${code}\\b`), `explain ${code} in the text of docs/protocol.md`)
  for (const type of types) t.match(prose, `\`${type}\``, `explain the message \`${type}\` in the text of docs/protocol.md`)
})

t.test('README › links the product\'s own protocol reference and nothing outside the repository', async t => {
  const readme = read('README.md')
  t.match(readme, '](docs/protocol.md)')
  t.same([...readme.matchAll(/\]\((\.\.\/[^)]*)\)/g)].map(m => m[1]), [], 'no link leaves the repository')
})
