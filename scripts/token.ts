import { createSigner } from 'fast-jwt'
import { DEV_JWT_SECRET } from '../src/config.js'

/**
 * `npm run token -- <userId> [ttlSeconds]`: print an HS256 user JWT signed
 * with JWT_SECRET (or the development secret), for trying the service out.
 */
const [userId = 'alice', ttl = '3600'] = process.argv.slice(2)
const secret = process.env.JWT_SECRET ?? DEV_JWT_SECRET
const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: Number(ttl) * 1000 })
process.stdout.write(`${sign({ userId, sub: userId })}\n`)
