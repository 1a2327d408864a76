import t from 'tap'
import { loadConfig } from '../src/config.js'

t.test('config › session lifetime variables: defaults of PROTOCOL.md §5', async t => {
  t.match(loadConfig({}), { sessionLeaseSeconds: 90, sessionFollowsTokenExpiry: true, sessionExpiryNoticeSeconds: 60 })
})

t.test('config › session lifetime variables are read', async t => {
  const c = loadConfig({ SESSION_LEASE_SECONDS: '2', SESSION_FOLLOWS_TOKEN_EXPIRY: 'false', SESSION_EXPIRY_NOTICE_SECONDS: '0' })
  t.match(c, { sessionLeaseSeconds: 2, sessionFollowsTokenExpiry: false, sessionExpiryNoticeSeconds: 0 })
})

t.test('config › a lease under 2 seconds stops the start, naming the variable', async t => {
  t.throws(() => loadConfig({ SESSION_LEASE_SECONDS: '1' }), /SESSION_LEASE_SECONDS/)
})
