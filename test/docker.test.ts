import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

const COMPOSE = 'docker/compose.yml'
const env = { ...process.env, CHAT_SERVER_KEYS: 'k1' }

/** The compose CLI on this machine: the `docker compose` plugin, the standalone `docker-compose`, or none. */
function composeCommand (): string[] | undefined {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(cmd[0], [...cmd.slice(1), 'version'], { encoding: 'utf8' })
    if (probe.status === 0) return cmd
  }
  return undefined
}

const cmd = composeCommand()
t.test('docker/compose.yml › `docker compose config` accepts it', { skip: cmd === undefined && 'no docker compose client on this machine' }, async t => {
  if (cmd === undefined) return
  const out = spawnSync(cmd[0], [...cmd.slice(1), '-f', COMPOSE, 'config'], { encoding: 'utf8', env })
  t.equal(out.status, 0, out.stderr)
  const config = parse(out.stdout)
  t.equal(config.services.app.deploy.replicas, 3)
})

t.test('docker/compose.yml › replicas behind a WebSocket-aware proxy, Redis with append-only persistence', async t => {
  const { services } = parse(readFileSync(COMPOSE, 'utf8'))
  t.ok(services.app.deploy.replicas >= 2, 'several instances')
  t.match(services.app.environment, { REDIS_URL: 'redis://redis:6379', TRUST_PROXY: '1', NODE_ENV: 'production' })
  t.match(services.redis.command.join(' '), /--appendonly yes/)
  t.ok(services.redis.volumes.length > 0, 'the append-only file lives on a volume')
  const nginx = readFileSync('docker/nginx.conf', 'utf8')
  t.match(nginx, /proxy_set_header Upgrade \$http_upgrade/)
  t.match(nginx, /proxy_http_version 1\.1/)
  t.match(nginx, /server app:3000/)
  t.match(nginx, /X-Forwarded-For \$remote_addr;/, 'the proxy overwrites X-Forwarded-For')
  t.match(services.proxy.volumes[0], /nginx\.conf/)
})

// test/container/image.test.ts builds and runs it; this checks what that run cannot see.
t.test('docker/Dockerfile › multi-stage build on the official slim image by default, production dependencies, non-root, HEALTHCHECK without curl, one port', async t => {
  const file = readFileSync('docker/Dockerfile', 'utf8')
  t.match(file, /^ARG BASE_IMAGE=node:20-slim$/m, 'the official image unless a local base is passed')
  const stages = file.match(/^FROM \$\{BASE_IMAGE\}/gm) ?? []
  t.equal(stages.length, 2)
  t.match(file, /npm prune --omit=dev/)
  t.match(file, /^USER node$/m)
  t.equal((file.match(/^EXPOSE /gm) ?? []).length, 1)
  const healthcheck = file.slice(file.indexOf('HEALTHCHECK'))
  t.match(healthcheck, /CMD \["node"/)
  t.notMatch(file, /curl|wget/)
})

t.test('README and docs/operations.md › the same podman commands, on the base docker/local-base.sh makes', async t => {
  const podmanBlock = (file: string): string | undefined => /```sh\n(apt-get install -y podman[^`]*)```/.exec(readFileSync(file, 'utf8'))?.[1]
  const readme = podmanBlock('README.md')
  t.ok(readme?.includes('--build-arg BASE_IMAGE=localhost/wsauth-node:20-bookworm'))
  t.equal(podmanBlock('docs/operations.md'), readme)
  t.match(readFileSync('docker/local-base.sh', 'utf8'), /image=\$\{1:-localhost\/wsauth-node:20-bookworm\}/)
})
