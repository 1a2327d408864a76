import { randomHex, sha256Hex } from './crypto.js'
import { TICKET_PATTERN, TICKET_PREFIX } from './protocol/http.js'

const TICKET_RE = new RegExp(TICKET_PATTERN)

/** A new single-use ticket: the prefix and 32 random bytes as hex. */
export const mintTicket = (): string => TICKET_PREFIX + randomHex(32)

/** The store key of a ticket: its SHA-256, so a dump of the store holds nothing redeemable. */
export const ticketDigest = (ticket: string): string => sha256Hex(ticket)

/** Whether a value has a ticket's shape: garbage never costs a store trip. */
export const isTicket = (value: unknown): value is string => typeof value === 'string' && TICKET_RE.test(value)
