/**
 * Recorded real-cloud traffic in ../shared/recordings (never copied into
 * this repository): found by searching upward from the repository root, or
 * at STRATO_RECORDINGS; and parsed from k8s-config-connector's _http.log
 * format (request line, headers, blank line, body, then the status line,
 * headers and body; interactions separated by "---").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

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
  throw new Error(`The recorded traffic was not found (looked in ${tried.join(', ')}); set STRATO_RECORDINGS to its folder.`)
}

export interface Interaction {
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

export function parseHttpLog(text: string, file: string): Interaction[] {
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
export function gcpRecordings(rewrite: (text: string) => string = (text) => text): Map<string, Interaction[]> {
  const dir = path.join(recordingsDir(), 'gcp')
  const files = readdirSync(dir).filter((file) => file.endsWith('.http.log')).sort()
  return new Map(files.map((file) => [file, parseHttpLog(rewrite(readFileSync(path.join(dir, file), 'utf8')), file)]))
}
