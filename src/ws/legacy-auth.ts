import { compileChecker, firstError } from '../protocol/codec.js'
import { LegacyAuthenticateSchema } from '../protocol/messages.js'
import type { Connection } from './connection.js'
import { refuse, runAuthentication } from './authenticate.js'

const checkLegacy = compileChecker(LegacyAuthenticateSchema)

/**
 * Migration mode (LEGACY_TOKEN_AUTH=true): `{type:"authenticate", token}` as
 * clients sent it before tickets. The JWT is checked by the same verifier as
 * the HTTP routes and opens a session exactly like a ticket; every use is
 * logged as deprecated and counted, so operators see when old clients are gone.
 */
export async function legacyAuthenticate (conn: Connection, message: Record<string, unknown>, id: string | undefined): Promise<void> {
  return runAuthentication(conn, 'legacy', id, async () => {
    const { credentials } = conn.deps
    conn.log.warn('deprecated {type:"authenticate", token} frame: move this client to tickets')
    if (message.token === undefined || message.token === null) return refuse('TICKET_MISSING')
    if (!checkLegacy.Check(message)) return refuse('INVALID_MESSAGE', firstError(checkLegacy, message))
    const chatServerKey = message.chatServerKey ?? ''
    if (chatServerKey !== '' && !credentials.knownServerKey(chatServerKey)) return refuse('TICKET_INVALID')
    let userId: string
    try {
      userId = await credentials.userIdOf(message.token)
    } catch {
      return refuse('TICKET_INVALID')
    }
    return { userId, entityId: message.entityId, entityType: message.entityType, chatServerKey }
  })
}
