import { readFileSync, writeFileSync } from 'node:fs'
import { envExample, fillGenerated, protocolTables } from './docs-tables.js'

/** `npm run docs`: rewrite .env.example and the generated tables of docs/protocol.md from the code. */
const protocol = 'docs/protocol.md'
writeFileSync(protocol, fillGenerated(readFileSync(protocol, 'utf8'), protocolTables()))
writeFileSync('.env.example', envExample())
process.stdout.write(`wrote ${protocol} and .env.example\n`)
