/**
 * Suppressions: `checks.skip` entries in strato.yaml and inline
 * `strato:ignore RULE-ID [until=YYYY-MM-DD] reason` comments. Each carries a
 * reason and may expire; expired ones stop suppressing and are reported.
 */
import type { Finding } from './types.js'

export interface SkipEntry {
  id: string
  reason: string
  until?: string
  /** a file path, folder or glob (*, **), or a resource id, relative to the project root */
  path?: string
  /** where the entry is written */
  file: string
  line: number
}

export interface InlineIgnore {
  id: string
  reason: string
  until?: string
  file: string
  /** the comment's line */
  line: number
  /** the lines it covers: its own, and the next line of code when the comment stands alone */
  covers: number[]
}

const INLINE = /strato:ignore\s+([A-Za-z]{2,5}-\d{3})(?:\s+until[=:](\d{4}-\d{2}-\d{2}))?(?:\s+(.*))?$/

const isCommentOrBlank = (line: string) => /^\s*(#|\/\/|\/\*|\*|--|<!--|$)/.test(line)

/** Every inline ignore comment in a file. */
export function inlineIgnores(file: string, lines: string[]): InlineIgnore[] {
  const found: InlineIgnore[] = []
  lines.forEach((text, index) => {
    if (!text.includes('strato:ignore')) return
    const match = INLINE.exec(text)
    if (!match) return
    const reason = (match[3] ?? '').replace(/\s*(\*\/|-->)\s*$/, '').trim()
    const covers = [index + 1]
    // A comment on its own line covers the next line of code; a trailing comment only its own line.
    if (isCommentOrBlank(text)) {
      let next = index + 1
      while (next < lines.length && isCommentOrBlank(lines[next])) next++
      if (next < lines.length) covers.push(next + 1)
    }
    found.push({ id: match[1].toUpperCase(), reason, until: match[2], file, line: index + 1, covers })
  })
  return found
}

/** Expired means the until date has passed: a suppression holds through the day it names. */
export function isExpired(until: string | undefined, today: string): boolean {
  return until !== undefined && until < today
}

/** Does a strato.yaml skip entry cover this finding? */
export function skipMatches(entry: SkipEntry, finding: Finding): boolean {
  if (entry.id !== finding.ruleId) return false
  if (!entry.path) return true
  const location = finding.location
  const candidates = location.kind === 'file' ? [location.path] : [location.resource, `${location.target}/${location.resource}`]
  const wanted = entry.path.replace(/^\.\//, '').replace(/\/$/, '')
  const pattern = globToRegExp(wanted)
  return candidates.some((candidate) => candidate === wanted || candidate.startsWith(`${wanted}/`) || pattern.test(candidate))
}

export function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]
    if (char === '*' && glob[index + 1] === '*') {
      source += '.*'
      index++
      if (glob[index + 1] === '/') index++
    } else if (char === '*') {
      source += '[^/]*'
    } else if (char === '?') {
      source += '[^/]'
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${source}$`)
}
