import { buildDemo } from '../src/demo/bundle.js'

/** `npm run build` step: the demo page into dist/demo. */
process.stdout.write(`demo page built in ${await buildDemo()}\n`)
