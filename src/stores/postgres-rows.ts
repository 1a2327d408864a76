import type { SessionRecord, TicketRecord } from './types.js'

/** Optional columns come back as null: leave them out, as the other stores do. */
const compact = <T>(record: Record<string, unknown>): T =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null)) as T

export const ticketOf = (row: Record<string, any>): TicketRecord => compact({
  userId: row.user_id,
  entityId: row.entity_id,
  entityType: row.entity_type,
  providerResId: row.provider_res_id,
  chatServerKey: row.chat_server_key,
  clientIp: row.client_ip,
  userAgent: row.user_agent,
  createdAt: (row.created_at as Date).getTime(),
  expiresAt: (row.expires_at as Date).getTime(),
  tokenExpiresAt: (row.token_expires_at as Date | null)?.getTime() ?? null
})

export const sessionOf = (row: Record<string, any>): SessionRecord => compact({
  sessionId: row.session_id,
  userId: row.user_id,
  entityId: row.entity_id,
  entityType: row.entity_type,
  chatServerKey: row.chat_server_key,
  authenticatedAt: (row.authenticated_at as Date).toISOString(),
  expiresAt: (row.expires_at as Date).toISOString()
})
