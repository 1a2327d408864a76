import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package's root: the first folder above this file with a package.json (the same from src/ and from dist/). */
function packageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    /* c8 ignore next -- a package always has a package.json above its files */
    if (parent === dir) break
    dir = parent
  }
  return dir
}

const root = packageRoot()
/** The demo page's sources (HTML, CSS and the browser script). */
export const DEMO_SOURCE_DIR = join(root, 'src', 'demo')
/** Where `npm run build` puts the demo page, and where the service serves it from by default. */
export const DEMO_BUILD_DIR = join(root, 'dist', 'demo')
/** The operator console's sources, and where `npm run build` puts it (served at /admin). */
export const CONSOLE_SOURCE_DIR = join(root, 'src', 'console')
export const CONSOLE_BUILD_DIR = join(root, 'dist', 'console')
