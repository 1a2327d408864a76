import t from 'tap'
import { readFileSync } from 'node:fs'
import { EnvSchema } from '../src/config.js'
import { ERRORS } from '../src/protocol/errors.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const envExample = readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
const row = (name: string) => readme.split('\n').find(line => line.startsWith(`| \`${name}\` |`))

t.test('README › the configuration table lists every variable of the schema, and nothing else', async t => {
  for (const name of Object.keys(EnvSchema.properties)) {
    t.ok(row(name), `${name} in README`)
    t.match(envExample, new RegExp(`^# ${name}=`, 'm'), `${name} in .env.example`)
  }
  const configSection = readme.split('## Configuration')[1].split('\n## ')[0]
  const listed = [...configSection.matchAll(/^\| `([A-Z_]+)` \|/gm)].map(m => m[1])
  t.same(listed.filter(name => !(name in EnvSchema.properties)), [], 'no stale variables')
})

t.test('README › the error-code table matches src/protocol/errors.ts', async t => {
  for (const [code, entry] of Object.entries(ERRORS) as Array<[string, { status?: number, close?: number, type?: string }]>) {
    const cells = row(code)?.split('|').map(c => c.trim())
    t.ok(cells, `${code} in README`)
    t.equal(cells?.[2], String(entry.status ?? '—'), `${code} HTTP status`)
    t.equal(cells?.[3], String(entry.close ?? '—'), `${code} close code`)
    t.equal(cells?.[4], entry.type ?? '—', `${code} message type`)
  }
})
