import { createSigner } from 'fast-jwt'

export interface DevTokenOptions {
  secret: string
  ttlSeconds?: number
  issuer?: string
  audience?: string
}

/** An HS256 user JWT for trying the service out (`npm run token`, the demo page). Development only. */
export function signDevToken (userId: string, opts: DevTokenOptions): string {
  const sign = createSigner({
    key: opts.secret,
    algorithm: 'HS256',
    expiresIn: (opts.ttlSeconds ?? 3600) * 1000,
    iss: opts.issuer,
    aud: opts.audience
  })
  return sign({ userId, sub: userId })
}
