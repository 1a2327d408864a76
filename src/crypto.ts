import { hash, randomFillSync } from 'node:crypto'

/**
 * SHA-256 in one call (Node's one-shot `crypto.hash`): no Hash object per
 * digest. Tickets are stored, and JWTs and keys compared, by these digests.
 */
export const sha256 = (value: string): Buffer => hash('sha256', value, 'buffer')
export const sha256Hex = (value: string): string => hash('sha256', value, 'hex')

/**
 * Random bytes as hex, cut from a pool refilled 4 KiB at a time, as Node does
 * for `randomUUID`: the same CSPRNG, one call into it per 128 tickets instead
 * of one per ticket. Every byte is handed out once. At most 4,096 bytes a call.
 */
const pool = Buffer.allocUnsafe(4096)
let used = pool.length

export function randomHex (bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool)
    used = 0
  }
  used += bytes
  return pool.toString('hex', used - bytes, used)
}
