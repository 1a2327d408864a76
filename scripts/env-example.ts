import { EnvSchema } from '../src/config.js'

/** `npm run env:example > .env.example`: the example environment, written from the config schema. */
const lines = ['# Every variable the service reads (src/config.ts). Copy to .env or export them; all are optional outside production.']
for (const [name, schema] of Object.entries(EnvSchema.properties)) {
  lines.push('', `# ${schema.description as string}`, `# ${name}=${schema.default === undefined ? '' : String(schema.default)}`)
}
process.stdout.write(`${lines.join('\n')}\n`)
