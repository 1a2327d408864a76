import type { AppConfig } from '../config.js'
import type { AuthEntry } from './identity.js'
import { legacyToken } from './legacy-auth.js'
import { redeemTicket } from './ticket-auth.js'

/**
 * The frames that authenticate, by message type: a new way to authenticate is
 * one more entry here. A Map, so no client-sent type can hit a prototype key.
 */
export function createAuthenticators (config: Pick<AppConfig, 'legacyTokenAuth'>): ReadonlyMap<string, AuthEntry> {
  const table = new Map<string, AuthEntry>([['ticket_authenticate', { method: 'ticket', prove: redeemTicket }]])
  if (config.legacyTokenAuth) table.set('authenticate', { method: 'legacy', prove: legacyToken })
  return table
}
