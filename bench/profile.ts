import { readFileSync } from 'node:fs'

/**
 * `node dist/bench/profile.js <file.cpuprofile> [top]`: where a CPU profile
 * (from `npm run bench -- --profile`) spends its self time, by function and
 * by package or project file, and each function's total time (itself and
 * what it calls): the view that prices a hook or a plugin as a whole.
 */
interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number, children?: number[] }
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[] }

const [file, topArg = '25'] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map(n => [n.id, n]))
const self = new Map<number, number>()
profile.samples.forEach((id, i) => { self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)) })
const isIdle = (id: number): boolean => byId.get(id)?.callFrame.functionName === '(idle)'
const idle = [...self].filter(([id]) => isIdle(id)).reduce((a, [, us]) => a + us, 0)
// Percentages are of the time the process was busy: idle waiting is not a cost.
const total = [...self.values()].reduce((a, b) => a + b, 0) - idle

function owner (url: string): string {
  if (url === '') return '(native / V8)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg !== null) return pkg[1]
  if (url.startsWith('node:')) return url
  const own = /\/dist\/(.+)$/.exec(url)
  return own === null ? url : own[1]
}

const keyOf = (id: number): string => {
  const { functionName, url, lineNumber } = (byId.get(id) as Node).callFrame
  return `${functionName || '(anonymous)'} ${owner(url)}:${lineNumber + 1}`
}
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

const functions = new Map<string, number>()
const owners = new Map<string, number>()
const totals = new Map<string, number>()
for (const [id, us] of self) {
  if (isIdle(id)) continue
  const url = (byId.get(id) as Node).callFrame.url
  functions.set(keyOf(id), (functions.get(keyOf(id)) ?? 0) + us)
  owners.set(owner(url), (owners.get(owner(url)) ?? 0) + us)
  // Each function on the stack once, however deep it recurses.
  const onStack = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) onStack.add(keyOf(at))
  for (const key of onStack) totals.set(key, (totals.get(key) ?? 0) + us)
}
const show = (title: string, map: Map<string, number>): void => {
  process.stdout.write(`\n${title}\n`)
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
    process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${key}\n`)
  }
}
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle`)
show('self time by package or file', owners)
show('self time by function', functions)
show('total time by function (itself and its callees)', totals)
