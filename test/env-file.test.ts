import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { freePort } from './support/net.js'
import { startServer } from './support/server.js'

// `npm run dev` runs the same dist/src/server.js, so this covers it too.

/** The environment of a fresh shell: the runner's (loader, coverage) without anything the service reads. */
function cleanEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', ...extra }
  for (const name of ['PORT', 'HOST', 'LOG_LEVEL', 'DEMO_PAGE']) if (!(name in extra)) Reflect.deleteProperty(env, name)
  return env
}

async function listensAt (t: Test, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const server = startServer(env, cwd)
  t.teardown(() => { server.child.kill('SIGKILL') })
  const address = await Promise.race([server.listening, server.exited.then(code => `exited ${String(code)}: ${server.stderr()}`)])
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'and stops cleanly')
  return address
}

t.test('npm start › reads .env of the working directory; a variable of the real environment wins', async t => {
  const cwd = t.testdir()
  const [fromFile, fromEnv] = [await freePort(), await freePort()]
  writeFileSync(`${cwd}/.env`, `# written by the test\nPORT=${fromFile}\nHOST=127.0.0.1\nLOG_LEVEL=info\n`)
  t.equal(await listensAt(t, cleanEnv(), cwd), `http://127.0.0.1:${fromFile}`, 'PORT and HOST from .env')
  t.equal(await listensAt(t, cleanEnv({ PORT: String(fromEnv) }), cwd), `http://127.0.0.1:${fromEnv}`, 'PORT from the environment, HOST still from .env')
})
