/**
 * Real recorded Azure traffic (shared/recordings/azure, next to the
 * repository, never copied into it): finding the folder and reading the
 * three cassette formats there (go-vcr v1 and v2, vcrpy) as one list of
 * interactions per file.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

export interface Interaction {
  index: number
  method: string
  url: string
  requestBody: string
  status: number
  /** lower-cased names, first value */
  headers: Record<string, string>
  body: string
}

const root = path.resolve(import.meta.dirname, '../..')

/** The recordings folder: STRATO_RECORDINGS, else ../shared/recordings from the repository or its worktree parent. */
export function recordingsDir(): string {
  const candidates = [
    process.env.STRATO_RECORDINGS,
    path.resolve(root, '../shared/recordings'),
    path.resolve(root, '../../shared/recordings'),
    '/work/shared/recordings',
  ].filter((candidate): candidate is string => Boolean(candidate))
  const found = candidates.find((candidate) => existsSync(path.join(candidate, 'azure')))
  if (!found) throw new Error(`No recorded traffic found (looked in ${candidates.join(', ')}); set STRATO_RECORDINGS to the shared recordings folder.`)
  return found
}

type Raw = Record<string, unknown>
/** vcrpy keeps some request bodies as Python bytes literals, sometimes twice over: b'b\\'{...}\\''. */
function unwrapBytes(body: string): string {
  let text = body
  for (let match = /^b(['"])([\s\S]*)\1$/.exec(text); match; match = /^b(['"])([\s\S]*)\1$/.exec(text)) {
    text = match[2].replace(/\\(['"\\])/g, '$1')
  }
  return text
}

const text = (value: unknown): string => {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return unwrapBytes(value)
  if (typeof value === 'object' && 'string' in (value as Raw)) return unwrapBytes(String((value as Raw).string ?? ''))
  return String(value)
}

function headersOf(raw: unknown): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries((raw ?? {}) as Raw)) headers[name.toLowerCase()] = Array.isArray(value) ? String(value[0]) : String(value)
  return headers
}

export function readCassette(file: string): Interaction[] {
  const doc = parse(readFileSync(path.join(recordingsDir(), 'azure', file), 'utf8')) as { interactions: { request: Raw; response: Raw }[] }
  return doc.interactions.map(({ request, response }, index) => {
    const status = typeof response.code === 'number' ? response.code
      : typeof response.status === 'object' && response.status ? Number((response.status as Raw).code)
        : Number(String(response.status ?? '').split(' ')[0])
    return {
      index,
      method: String(request.method).toUpperCase(),
      url: String(request.url ?? request.uri),
      requestBody: text(request.body),
      status,
      headers: headersOf(response.headers),
      body: text(response.body),
    }
  })
}

/**
 * A request path's shape: names replaced by *, namespaces and types kept, so
 * a recorded call matches ours whatever the resources were called.
 */
export function pathShape(url: string): string {
  const segments = new URL(url, 'https://management.azure.com').pathname.split('/').filter(Boolean)
  const out: string[] = []
  let typeNext = false
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i].toLowerCase()
    const previous = out[out.length - 1]
    if (previous && ['subscriptions', 'resourcegroups', 'locations', 'operations', 'operationresults', 'deletedvaults'].includes(previous) && out[out.length - 1] !== '*') {
      out.push('*')
      typeNext = true
      continue
    }
    if (segment === 'providers') { out.push(segment); out.push((segments[++i] ?? '').toLowerCase()); typeNext = true; continue }
    if (typeNext && out.length >= 2 && out[out.length - 2] === 'providers') { out.push(segment); typeNext = false; continue }
    if (!typeNext && previous !== '*' && out.length >= 3) { out.push('*'); typeNext = true; continue }
    out.push(segment)
    typeNext = false
  }
  const monitor = new URL(url, 'https://management.azure.com').searchParams.get('monitor') === 'true'
  return `/${out.join('/')}${monitor ? '?monitor' : ''}`
}
