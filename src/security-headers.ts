import helmet from 'helmet'

/**
 * Helmet's default headers, computed once by Helmet itself against a recording
 * response: @fastify/helmet costs 9 % of the ticket route (docs/benchmarks.md).
 * Lower-case keys, so a route's own header (Swagger UI's CSP) replaces the default.
 */
function computeSecurityHeaders (): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader (name: string, value: string) { headers[name.toLowerCase()] = value },
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  helmet()({} as never, recorder as never, () => {})
  return Object.freeze(headers)
}

export const SECURITY_HEADERS = computeSecurityHeaders()
