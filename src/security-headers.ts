import helmet from 'helmet'

/**
 * Helmet's default response headers, computed once. @fastify/helmet rebuilds
 * Helmet's middleware (options parsed, CSP string joined) on every request and
 * sets each header on the raw response in two hooks: ~10 µs a request, the
 * largest cost of the ticket route after its log line (docs/benchmarks.md).
 * With the defaults every directive is a constant string, so Helmet itself
 * computes the headers here, against a recording response, and each request
 * gets the same frozen object. Keys are lower case, as Fastify stores them, so
 * a route's own header (Swagger UI's CSP) replaces the default.
 */
function computeSecurityHeaders (): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader (name: string, value: string) { headers[name.toLowerCase()] = value },
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  // Default options: no directive reads the request, and none can fail.
  helmet()({} as never, recorder as never, () => {})
  return Object.freeze(headers)
}

export const SECURITY_HEADERS = computeSecurityHeaders()
