import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import { DEMO_BUILD_DIR, DEMO_SOURCE_DIR } from './assets.js'

/**
 * Build the demo page into `outDir`: the browser script bundled with the
 * client SDK by esbuild (platform browser: a Node-only import fails the
 * build), next to its HTML and CSS. Run by `npm run build`; tests build
 * their own copy so they never serve a stale one.
 */
export async function buildDemo (outDir = DEMO_BUILD_DIR): Promise<string> {
  await mkdir(outDir, { recursive: true })
  await build({
    entryPoints: [join(DEMO_SOURCE_DIR, 'page.ts')],
    outfile: join(outDir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent'
  })
  for (const file of ['index.html', 'page.css']) await copyFile(join(DEMO_SOURCE_DIR, file), join(outDir, file))
  return outDir
}
