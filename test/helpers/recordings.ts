/**
 * Recorded real-cloud traffic in ../shared/recordings (never copied into
 * this repository), found by searching upward from the repository root or
 * at STRATO_RECORDINGS, and read as one list of interactions per file:
 * Azure's cassettes (go-vcr v1 and v2, vcrpy) and Google Cloud's _http.log
 * files from k8s-config-connector (request line, headers, blank line, body,
 * then the status line, headers and body; interactions separated by "---").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

const root = path.resolve(import.meta.dirname, '../..')

/** The recordings folder, or an error that says where it was looked for. */
export function recordingsDir(): string {
  if (process.env.STRATO_RECORDINGS) return process.env.STRATO_RECORDINGS
  const tried: string[] = []
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'recordings')
    tried.push(candidate)
    if (existsSync(candidate)) return candidate
    if (path.dirname(dir) === dir) break
  }
  // the machines' shared folder, for a clone made somewhere else (e.g. under /tmp)
  const machineShared = '/work/shared/recordings'
  tried.push(machineShared)
  if (existsSync(machineShared)) return machineShared
  throw new Error(`The recorded traffic was not found (looked in ${tried.join(', ')}); set STRATO_RECORDINGS to its folder.`)
}

// Azure cassettes

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

// Google Cloud _http.log files

export interface HttpLogInteraction {
  /** the file and the interaction's index in it, for messages */
  where: string
  method: string
  url: URL
  requestBody?: unknown
  status: number
  responseBody?: unknown
}

function parseJson(text: string): unknown {
  const trimmed = text.trim()
  return trimmed ? JSON.parse(trimmed) : undefined
}

export function parseHttpLog(text: string, file: string): HttpLogInteraction[] {
  return text.split(/\n---\n/).map((block) => block.replace(/^\n+/, '')).filter((block) => block.trim()).map((block, index) => {
    const lines = block.split('\n')
    const [method, url] = lines[0].split(' ')
    const statusAt = lines.findIndex((line, at) => at > 0 && /^\d{3} [A-Za-z]/.test(line))
    const request = lines.slice(1, statusAt)
    const blank = request.indexOf('')
    const response = lines.slice(statusAt + 1)
    const responseBlank = response.indexOf('')
    return {
      where: `${file}#${index}`,
      method,
      url: new URL(url),
      requestBody: blank < 0 ? undefined : parseJson(request.slice(blank + 1).join('\n')),
      status: Number(lines[statusAt].slice(0, 3)),
      responseBody: responseBlank < 0 ? undefined : parseJson(response.slice(responseBlank + 1).join('\n')),
    }
  })
}

/** Every GCP recording, parsed, by file name; `rewrite` changes each file's text first (placeholders, for one). */
export function gcpRecordings(rewrite: (text: string) => string = (text) => text): Map<string, HttpLogInteraction[]> {
  const dir = path.join(recordingsDir(), 'gcp')
  const files = readdirSync(dir).filter((file) => file.endsWith('.http.log')).sort()
  return new Map(files.map((file) => [file, parseHttpLog(rewrite(readFileSync(path.join(dir, file), 'utf8')), file)]))
}
