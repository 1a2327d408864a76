import { timingSafeEqual } from 'node:crypto'
import { sha256 } from '../crypto.js'

const BEARER = /^Bearer +(\S+) *$/i
const TOKEN68 = /^[A-Za-z0-9\-_.~+/]+=*$/

/** The token of an `Authorization: Bearer <token>` header, or undefined when the header is missing or malformed. */
export function bearerToken (header: string | undefined, shape: 'any' | 'token68' = 'any'): string | undefined {
  const token = BEARER.exec(header ?? '')?.[1]
  return token !== undefined && (shape === 'any' || TOKEN68.test(token)) ? token : undefined
}

/** A secret checked against an allow-list in constant time: equal-length digests, every entry visited. */
export function secretMatcher (secrets: readonly string[]): (candidate: string) => boolean {
  const allowed = secrets.map(sha256)
  return (candidate) => {
    const digest = sha256(candidate)
    let found = false
    for (const secret of allowed) found = timingSafeEqual(digest, secret) || found
    return found
  }
}
