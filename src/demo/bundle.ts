import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import { CONSOLE_BUILD_DIR, CONSOLE_SOURCE_DIR, DEMO_BUILD_DIR, DEMO_SOURCE_DIR } from './assets.js'

/**
 * Build a page into `outDir`: its browser script (`page.ts`) bundled by
 * esbuild (platform browser: a Node-only import fails the build), next to
 * its `index.html` and `page.css`. Run by `npm run build`; tests build
 * their own copy so they never serve a stale one.
 */
export async function bundlePage (sourceDir: string, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true })
  await build({
    entryPoints: [join(sourceDir, 'page.ts')],
    outfile: join(outDir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent'
  })
  for (const file of ['index.html', 'page.css']) await copyFile(join(sourceDir, file), join(outDir, file))
  return outDir
}

/** The demo page, bundled with the client SDK. */
export const buildDemo = async (outDir = DEMO_BUILD_DIR): Promise<string> => await bundlePage(DEMO_SOURCE_DIR, outDir)

/** The operator console (/admin). */
export const buildConsole = async (outDir = CONSOLE_BUILD_DIR): Promise<string> => await bundlePage(CONSOLE_SOURCE_DIR, outDir)
