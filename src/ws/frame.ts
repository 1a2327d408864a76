import { isUtf8 } from 'node:buffer'
import type { RawData } from 'ws'

export function parseFrame (data: RawData, isBinary: boolean): Record<string, unknown> | undefined {
  if (isBinary || !isUtf8(data as Buffer)) return undefined
  try {
    const value: unknown = JSON.parse(data.toString())
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

export const frameId = (message: Record<string, unknown>): string | undefined =>
  typeof message.id === 'string' && message.id.length <= 64 ? message.id : undefined
