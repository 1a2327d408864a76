/**
 * The console's calls to the backend API. The key lives in sessionStorage
 * (this tab only, gone when it closes) and travels in the Authorization
 * header; it is never put in a URL, the page or the log.
 */
const STORAGE_KEY = 'ws-ticket-auth.backend-key'

export const storedKey = (): string | null => sessionStorage.getItem(STORAGE_KEY)
export const keepKey = (key: string): void => { sessionStorage.setItem(STORAGE_KEY, key) }
export const forgetKey = (): void => { sessionStorage.removeItem(STORAGE_KEY) }

/** An answer: status 0 when no answer came (network down, server gone). */
export interface Answer<T = Record<string, any>> { status: number, body: T & { code?: string, error?: string } }

export async function call<T = Record<string, any>> (method: 'GET' | 'DELETE', path: string, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${storedKey() ?? ''}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  try {
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
    return { status: res.status, body: await res.json().catch(() => ({})) }
  } catch {
    return { status: 0, body: {} as Answer<T>['body'] }
  }
}

/** `401 AUTH_INVALID: Unknown backend API key`, or what stands for it. */
export const describe = ({ status, body }: Answer): string =>
  status === 0 ? 'no response: network error or server down' : `${status} ${body.code ?? ''}${body.error === undefined ? '' : `: ${body.error}`}`

export const userPath = (userId: string): string => `/api/websocket/users/${encodeURIComponent(userId)}/sessions`
