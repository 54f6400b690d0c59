/**
 * A small HTTP layer over node:http: route patterns, JSON bodies with a size
 * limit, errors as JSON with the right status, one log line and one metrics
 * observation per request, and the /healthz and /metrics endpoints.
 */
import { randomUUID } from 'node:crypto'

const MAX_BODY_BYTES = 1024 * 1024

/** An error the client caused or should see: its status and message go into the response. */
export class HttpError extends Error {
  constructor(status, message, details) {
    super(message)
    this.status = status
    this.details = details
  }
}

/** Throws a 400 listing every problem, or returns when there is none. */
export function assertValid(problems) {
  if (problems.length > 0) throw new HttpError(400, 'the request is not valid', problems)
}

export function createHandler({ routes, log, metrics, health }) {
  const table = routes.map((route) => ({ ...route, segments: route.path.split('/').filter(Boolean) }))

  return async function handle(request, response) {
    const started = process.hrtime.bigint()
    const requestId = String(request.headers['x-request-id'] || randomUUID())
    const url = new URL(request.url ?? '/', 'http://service')
    let route = 'unmatched'
    let status = 500
    let payload
    let type = 'application/json'
    try {
      if (request.method === 'GET' && url.pathname === '/healthz') {
        route = '/healthz'
        ;({ status, payload } = await checkHealth(health, log))
      } else if (request.method === 'GET' && url.pathname === '/metrics') {
        route = '/metrics'
        status = 200
        type = 'text/plain; version=0.0.4'
        payload = metrics.render()
      } else {
        const match = matchRoute(table, request.method, url.pathname)
        if (!match) throw new HttpError(404, `no route for ${request.method} ${url.pathname}`)
        if (match.methodNotAllowed) throw new HttpError(405, `${request.method} is not allowed on ${url.pathname}`)
        route = match.route.path
        const body = ['POST', 'PUT', 'PATCH'].includes(request.method) ? await readJson(request) : undefined
        const result = await match.route.handler({ params: match.params, query: url.searchParams, body, requestId })
        status = result.status ?? 200
        payload = result.body
      }
    } catch (error) {
      if (error instanceof HttpError) {
        status = error.status
        payload = { error: error.message, ...(error.details ? { details: error.details } : {}) }
      } else {
        status = 500
        payload = { error: 'internal error', requestId }
        log.error('request failed', { requestId, method: request.method, route, error: error.message, stack: error.stack })
      }
    }
    const text = typeof payload === 'string' ? payload : payload === undefined ? '' : JSON.stringify(payload)
    response.writeHead(status, { 'content-type': type, 'x-request-id': requestId, 'cache-control': 'no-store' })
    response.end(text)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    metrics.observe({ method: request.method, route, status, seconds })
    if (route !== '/healthz' && route !== '/metrics') {
      log.info('request', { requestId, method: request.method, route, status, durationMs: Math.round(seconds * 1000) })
    }
  }
}

async function checkHealth(health, log) {
  try {
    await health()
    return { status: 200, payload: { status: 'ok' } }
  } catch (error) {
    log.warn('health check failed', { error: error.message })
    return { status: 503, payload: { status: 'unavailable', error: 'database unreachable' } }
  }
}

function matchRoute(table, method, pathname) {
  const parts = pathname.split('/').filter(Boolean)
  let pathMatched = false
  for (const route of table) {
    if (route.segments.length !== parts.length) continue
    const params = {}
    const matches = route.segments.every((segment, index) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(parts[index])
        return true
      }
      return segment === parts[index]
    })
    if (!matches) continue
    pathMatched = true
    if (route.method === method) return { route, params }
  }
  return pathMatched ? { methodNotAllowed: true } : undefined
}

/** The parsed JSON body, or undefined when the request has none (a bare POST such as a capture). */
async function readJson(request) {
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined
  if (!hasBody) return undefined
  const type = String(request.headers['content-type'] ?? '')
  if (!type.startsWith('application/json')) throw new HttpError(415, 'send a JSON body with content-type: application/json')
  const chunks = []
  let size = 0
  for await (const chunk of request) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'the body is not valid JSON')
  }
}
