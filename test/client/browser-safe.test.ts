import t from 'tap'
import { build } from 'esbuild'
import { relative } from 'node:path'

t.test('client › bundles for the browser from the SDK and the error table alone (no Node module, no server code)', async t => {
  const result = await build({
    entryPoints: ['src/client/index.ts'], bundle: true, write: false, format: 'esm', platform: 'browser', metafile: true, logLevel: 'silent'
  })
  const inputs = Object.keys(result.metafile.inputs).map(file => relative('.', file)).sort()
  t.same(inputs.filter(file => !file.startsWith('src/client/')), ['src/protocol/errors.ts'], `inputs: ${inputs.join(', ')}`)
  t.ok(result.outputFiles[0].text.length < 20_000, `${result.outputFiles[0].text.length} bytes unminified`)
})
