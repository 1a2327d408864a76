import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import pino from 'pino'
import type { AppConfig } from './config.js'

/** Field names whose values are credentials, wherever they appear in a log object. */
const SECRET_FIELDS = ['authorization', 'x-chat-server-key', 'cookie', 'ticket', 'token', 'chatServerKey', 'password', 'secret']
/** Query parameters that could carry a credential (old clients put tokens in the URL). */
const SECRET_QUERY = /ticket|token|key|secret|password|auth|jwt|bearer|credential|signature/i
/** Credentials recognised by their shape, whatever carries them: JWTs, tickets, bearer values (also URL-encoded). */
const CREDENTIAL = /eyJ[\w-]*\.[\w-]*\.[\w-]*|ws_ticket_[\w-]+|bearer(?:%20|\+|\s)+[^&;#\s]+/gi
/** One `name=value` of a query string; `;` separates parameters too, as some servers read it. */
const PARAM = /([?&;])([^=&;#]*)=([^&;#]*)/g
const URL_CENSOR = '%5Bredacted%5D'
const REQUEST_ID = /^[\w.:-]{1,128}$/

const SECRETS = new Set(SECRET_FIELDS)
const CENSOR = '[redacted]'

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A copy of `value` with its secret fields censored, or undefined when it has none. */
function censorFields (value: Record<string, unknown>): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined
  for (const key of Object.keys(value)) {
    if (!SECRETS.has(key)) continue
    copy ??= { ...value }
    copy[key] = CENSOR
  }
  return copy
}

/**
 * Every secret field of a log object censored, top level and one level down in
 * plain objects, copy-on-write. Instead of pino's `redact`: 10–13 % of the ticket
 * route (docs/benchmarks.md). Requests, replies and errors have their serializers.
 */
export function redactSecrets (obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj
  for (const key of Object.keys(obj)) {
    const value = obj[key]
    const censored = SECRETS.has(key) ? CENSOR : isPlainObject(value) ? censorFields(value) : undefined
    if (censored === undefined) continue
    if (out === obj) out = { ...obj }
    out[key] = censored
  }
  return out
}

/** The URL with every credential-shaped value and every credential-like query parameter's value replaced. */
export function redactUrl (url: string): string {
  const shaped = url.replace(CREDENTIAL, URL_CENSOR)
  const q = shaped.indexOf('?')
  if (q === -1) return shaped
  return shaped.slice(0, q) + shaped.slice(q).replace(PARAM, (param, sep: string, name: string) =>
    SECRET_QUERY.test(safeDecode(name)) ? `${sep}${name}=${URL_CENSOR}` : param)
}

function safeDecode (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** pino options: JSON lines, credentials redacted, URLs scrubbed, stdout in 4 KiB batches (docs/benchmarks.md). */
export function loggerOptions (config: Pick<AppConfig, 'logLevel'>) {
  return {
    ...(config.logLevel === 'silent' ? {} : { stream: pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 }) }),
    level: config.logLevel,
    formatters: { log: redactSecrets },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        // Anything logged under `req` goes through here, not only Fastify's requests.
        url: redactUrl(req.url ?? ''),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort
      })
    }
  }
}

/**
 * One access line per request, when it completes; "incoming request" stays at debug,
 * where a request that never completes can be traced (docs/benchmarks.md: the line's cost).
 */
export class AccessLogController extends LogController {
  incomingRequest (request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request')
  }

  requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}

/** Request ids: a well-formed `X-Request-Id` from the caller or proxy is kept (log correlation), otherwise a UUID. */
export function genReqId (req: IncomingMessage): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}
