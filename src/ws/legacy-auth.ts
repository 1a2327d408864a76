import { compileChecker } from '../protocol/codec.js'
import { LegacyAuthenticateSchema } from '../protocol/messages.js'
import type { Connection } from './connection.js'
import { runAuthentication } from './authenticate.js'

const checkLegacy = compileChecker(LegacyAuthenticateSchema)

/**
 * Migration mode (LEGACY_TOKEN_AUTH=true): `{type:"authenticate", token}` as
 * clients sent it before tickets. The JWT is checked by the same verifier as
 * the HTTP routes and opens a session exactly like a ticket; every use is
 * logged as deprecated and counted, so operators see when old clients are gone.
 */
export async function legacyAuthenticate (conn: Connection, message: Record<string, unknown>, id: string | undefined): Promise<void> {
  return runAuthentication(conn, 'legacy', id, async () => {
    const { credentials, log } = conn.deps
    log.warn({ sessionId: conn.sessionId }, 'deprecated {type:"authenticate", token} frame: move this client to tickets')
    if (message.token === undefined || message.token === null) return 'TICKET_MISSING'
    if (!checkLegacy.Check(message)) return 'INVALID_MESSAGE'
    const chatServerKey = message.chatServerKey ?? ''
    if (chatServerKey !== '' && !credentials.knownServerKey(chatServerKey)) return 'TICKET_INVALID'
    let userId: string
    try {
      userId = await credentials.userIdOf(message.token)
    } catch {
      return 'TICKET_INVALID'
    }
    return { userId, entityId: message.entityId, entityType: message.entityType, chatServerKey }
  })
}
