import { compileChecker, firstError } from '../protocol/checkers.js'
import { LegacyAuthenticateSchema } from '../protocol/messages.js'
import { refuse, type Authenticator } from './identity.js'

const checkLegacy = compileChecker(LegacyAuthenticateSchema)

/** LEGACY_TOKEN_AUTH: each use is logged as deprecated, so operators see when old clients are gone. */
export const legacyToken: Authenticator = async (message, ctx) => {
  const { credentials } = ctx
  ctx.log.warn('deprecated {type:"authenticate", token} frame: move this client to tickets')
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
}
