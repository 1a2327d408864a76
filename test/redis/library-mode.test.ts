import t from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { app } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { TEST_ENV } from '../helper.js'
import { REDIS_MISSING, redisUrl, uniquePrefix } from '../support/redis.js'

t.test('ticket-store › with Redis the store client becomes fastify.redis, unless the host app has its own', { skip: REDIS_MISSING }, async t => {
  const url = await redisUrl(t)
  const config = loadConfig({ ...TEST_ENV, REDIS_URL: url, REDIS_KEY_PREFIX: uniquePrefix() })

  const alone = Fastify()
  t.teardown(() => alone.close())
  await alone.register(app, { config })
  await alone.ready()
  t.equal(alone.redis, (alone.store as unknown as { client: unknown }).client)

  const host = Fastify()
  t.teardown(() => host.close())
  await host.register(fastifyRedis, { url, closeClient: true })
  const own = host.redis
  await host.register(app, { config })
  await host.ready()
  t.equal(host.redis, own, "the host's client is left in place")
  t.not((host.store as unknown as { client: unknown }).client, own)
  t.equal((await host.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})
