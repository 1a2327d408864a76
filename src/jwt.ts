import { createVerifier, type DecodedJwt } from 'fast-jwt'
import type { AppConfig } from './config.js'
import { createJwksKeys } from './jwks.js'
import { AppError } from './protocol/errors.js'

type VerifierConfig = Pick<AppConfig, 'jwtSecret' | 'jwksUrl' | 'jwtIssuer' | 'jwtAudience' | 'jwksRefetchIntervalMs'>

/** Who a JWT proves, and until when (its `exp` in epoch ms, when it has one): a session ends no later. */
export interface VerifiedUser { userId: string, tokenExpiresAt?: number }

export type UserVerifier = (token: string) => VerifiedUser | Promise<VerifiedUser>

/**
 * The user a JWT proves, or AUTH_INVALID: HS256 with JWT_SECRET, RS256 and
 * ES256 with the keys of JWKS_URL, `iss`/`aud` checked when configured.
 * One verifier for the ticket route, the session routes and legacy frames:
 * synchronous without a JWKS (it throws), a promise with one (it rejects).
 */
export function createUserVerifier (config: VerifierConfig): UserVerifier {
  const { jwtSecret: secret, jwtIssuer: issuer } = config
  const jwks = config.jwksUrl === undefined
    ? undefined
    : createJwksKeys({ url: config.jwksUrl, refetchIntervalMs: config.jwksRefetchIntervalMs })
  const common = {
    // `none` is never listed, so unsigned tokens are refused.
    algorithms: [...secret === undefined ? [] : ['HS256' as const], ...jwks === undefined ? [] : ['RS256' as const, 'ES256' as const]],
    allowedIss: issuer,
    allowedAud: config.jwtAudience,
    // Verified tokens are cached by fast-jwt's digest of the token, never by the token itself.
    cache: true
  }
  if (jwks === undefined && secret === undefined) throw new Error('a JWT secret or a JWKS URL is required')
  const verify = jwks === undefined
    // A constant key makes the verifier synchronous: no promise per token.
    ? createVerifier({ ...common, key: secret })
    : createVerifier({
      ...common,
      // The key follows from the algorithm, never the reverse: an HS256 token is checked against
      // the HMAC secret only, so a token "signed" with a provider's public key cannot pass.
      key: async ({ header, payload }: DecodedJwt) => {
        if (header.alg === 'HS256' && secret !== undefined) return secret
        if (typeof header.kid !== 'string') throw new Error('no key for this token')
        // A token for another issuer costs no fetch.
        if (issuer !== undefined && payload.iss !== issuer) throw new Error('unexpected issuer')
        return await jwks.key(String(payload.iss), header.kid, String(header.alg))
      }
    })

  // With a constant key fast-jwt answers synchronously: the ticket route's check then costs no promise.
  if (jwks === undefined) {
    return (token) => {
      let payload: Payload
      try {
        payload = verify(token)
      } catch {
        return refuse()
      }
      return userOf(payload)
    }
  }
  return async (token) => userOf(await (verify(token) as Promise<Payload>).catch(refuse))
}

interface Payload { userId?: unknown, sub?: unknown, exp?: unknown }

const refuse = (): never => { throw new AppError('AUTH_INVALID') }

function userOf (payload: Payload): VerifiedUser {
  const userId = payload.userId ?? payload.sub
  // Not well-formed Unicode (a lone surrogate) would be stored and listed differently by each backend.
  if (typeof userId !== 'string' || userId === '' || userId.length > 255 || !userId.isWellFormed()) return refuse()
  // fast-jwt has already refused a non-numeric or past `exp`.
  return typeof payload.exp === 'number' ? { userId, tokenExpiresAt: payload.exp * 1000 } : { userId }
}
