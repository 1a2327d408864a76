import { DEV_JWT_SECRET } from '../src/config.js'
import { signDevToken } from '../src/dev-token.js'

/**
 * `npm run token -- <userId> [ttlSeconds]`: print an HS256 user JWT signed
 * with JWT_SECRET (or the development secret), for trying the service out.
 */
const [userId = 'alice', ttl = '3600'] = process.argv.slice(2)
const token = signDevToken(userId, {
  secret: process.env.JWT_SECRET ?? DEV_JWT_SECRET,
  ttlSeconds: Number(ttl),
  issuer: process.env.JWT_ISSUER,
  audience: process.env.JWT_AUDIENCE
})
process.stdout.write(`${token}\n`)
