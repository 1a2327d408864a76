import t from 'tap'
import { build } from '../helper.js'

t.test('GET /health › 200 healthy while the store answers', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { status: 'healthy', checks: { store: 'up', events: 'up' } })
  t.ok(Date.parse(res.json().timestamp))
})

t.test('GET /health › 503 unhealthy when the store is down', async t => {
  const app = await build(t)
  await app.store.close()
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'unhealthy', checks: { store: 'down', events: 'down' } })
})
