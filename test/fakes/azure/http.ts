/** Request and response plumbing shared by the fake's routes. */
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface FakeRequest {
  method: string
  /** the path without the query, as sent (case kept) */
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  /** the raw body text ('' when none) */
  text: string
  /** the body parsed as JSON, or undefined */
  json: unknown
  /** https://127.0.0.1:PORT */
  origin: string
}

export interface FakeResponse {
  status: number
  headers?: Record<string, string>
  /** an object is sent as JSON; a string as is; undefined sends an empty body */
  body?: unknown
}

export async function readRequest(req: IncomingMessage, origin: string): Promise<FakeRequest> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  // a path starting with // (an SDK joining a slash and a resource id) is still a path, not a host
  const url = new URL(`${origin}${(req.url ?? '/').replace(/^\/{2,}/, '/')}`)
  let json: unknown
  if (text && /json/i.test(String(req.headers['content-type'] ?? 'application/json'))) {
    try { json = JSON.parse(text) } catch { json = undefined }
  }
  return { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers: req.headers, text, json, origin }
}

export function send(res: ServerResponse, answer: FakeResponse): void {
  const headers: Record<string, string> = { 'x-ms-request-id': crypto.randomUUID(), ...answer.headers }
  let payload = ''
  if (typeof answer.body === 'string') payload = answer.body
  else if (answer.body !== undefined) {
    payload = JSON.stringify(answer.body)
    headers['content-type'] ??= 'application/json; charset=utf-8'
  }
  headers['content-length'] = String(Buffer.byteLength(payload))
  res.writeHead(answer.status, headers)
  res.end(payload)
}

/** ARM's error body: `{ error: { code, message } }`. */
export function armError(status: number, code: string, message: string, headers?: Record<string, string>): FakeResponse {
  return { status, headers, body: { error: { code, message } } }
}

export function notFound(type: string, name: string, resourceGroup?: string): FakeResponse {
  return armError(404, 'ResourceNotFound', resourceGroup
    ? `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
    : `The Resource '${type}/${name}' was not found.`)
}

export function badRequest(message: string, code = 'BadRequest'): FakeResponse {
  return armError(400, code, message)
}

export function ok(body: unknown, status = 200): FakeResponse {
  return { status, body }
}

/** A JSON object's own copy: the store never hands out its own objects. */
export function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value)) as T
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON merge-patch (RFC 7396), as ARM applies PATCH bodies. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch)
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = mergePatch(out[key], value)
  }
  return out
}

export function uuid(): string {
  return crypto.randomUUID()
}

/** One page of a list and the nextLink to the rest, as ARM pages with $skiptoken. */
export function page<T>(request: FakeRequest, items: T[], size: number): { value: T[]; nextLink?: string } {
  const start = Number(Buffer.from(request.query.get('$skiptoken') ?? '', 'base64').toString('utf8') || '0')
  const value = items.slice(start, start + size)
  if (start + size >= items.length) return { value }
  const next = new URL(request.path, request.origin)
  for (const [key, val] of request.query) if (key !== '$skiptoken') next.searchParams.append(key, val)
  next.searchParams.set('$skiptoken', Buffer.from(String(start + size)).toString('base64'))
  return { value, nextLink: next.toString() }
}
