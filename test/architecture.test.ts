import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The import rule of docs/architecture.md, read from the sources: below the
 * composition root imports run routes/ → plugins/ → src/ and never back, the
 * graph has no cycle, only src/stores/ knows a backend, and routes reach plugins
 * through decorators and types alone.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const COMPOSITION_ROOT = new Set(['src/app.ts', 'src/server.ts', 'src/index.ts'])
const LAYER: Record<string, number> = { src: 0, plugins: 1, routes: 2 }
const STORE_FACE = new Set(['src/stores/index.ts', 'src/stores/types.ts', 'src/stores/defaults.ts'])

interface Edge { to: string, typeOnly: boolean }

function sources (dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap(entry => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const IMPORT = /^\s*(import|export)(\s+type)?\b[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm

/** Every relative import of a file, as a path from the repository root with its .ts name. */
function importsOf (file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(IMPORT)].map(match => ({
    to: relative(ROOT, normalize(join(ROOT, dirname(file), match[3] ?? match[4]))).replace(/\.js$/, '.ts'),
    typeOnly: match[2] !== undefined
  }))
}

const files = ['src', 'plugins', 'routes'].flatMap(sources)
const graph = new Map(files.map(file => [file, importsOf(file)]))
const layer = (file: string): number => LAYER[file.split('/')[0]]

function violations (): string[] {
  const found: string[] = []
  for (const [from, edges] of graph) {
    if (COMPOSITION_ROOT.has(from)) continue
    for (const { to, typeOnly } of edges) {
      if (layer(to) > layer(from)) found.push(`upward: ${from} -> ${to}`)
      if (to.startsWith('src/stores/') && !from.startsWith('src/stores/') && !STORE_FACE.has(to)) found.push(`backend: ${from} -> ${to}`)
      if (from.startsWith('routes/') && to.startsWith('plugins/') && !typeOnly) found.push(`helper: ${from} -> ${to}`)
    }
  }
  return found
}

/** Each cycle once, written from its smallest file, found by depth-first search. */
function cycles (): string[] {
  const found = new Set<string>()
  const walk = (file: string, path: string[]): void => {
    const at = path.indexOf(file)
    if (at !== -1) {
      const loop = path.slice(at)
      const start = loop.indexOf([...loop].sort()[0])
      found.add(`cycle: ${[...loop.slice(start), ...loop.slice(0, start), loop[start]].join(' -> ')}`)
      return
    }
    for (const { to } of graph.get(file) ?? []) walk(to, [...path, file])
  }
  for (const file of files) walk(file, [])
  return [...found]
}

t.test('architecture › the import rule holds', async t => {
  t.ok(files.length > 50, 'the sources were found')
  t.same([...violations(), ...cycles()], [], 'no upward import, no cycle, no backend or plugin helper reached into')
})

t.test('architecture › the checker sees an upward import and a cycle', async t => {
  graph.set('src/probe-a.ts', [{ to: 'plugins/store.ts', typeOnly: true }, { to: 'src/probe-b.ts', typeOnly: false }])
  graph.set('src/probe-b.ts', [{ to: 'src/probe-a.ts', typeOnly: false }])
  t.teardown(() => { graph.delete('src/probe-a.ts'); graph.delete('src/probe-b.ts') })
  files.push('src/probe-a.ts')
  t.ok(violations().includes('upward: src/probe-a.ts -> plugins/store.ts'))
  t.ok(cycles().includes('cycle: src/probe-a.ts -> src/probe-b.ts -> src/probe-a.ts'))
})
