import { buildConsole, buildDemo } from '../src/demo/bundle.js'

/** `npm run build` step: the demo page into dist/demo, the operator console into dist/console. */
process.stdout.write(`demo page built in ${await buildDemo()}\n`)
process.stdout.write(`operator console built in ${await buildConsole()}\n`)
