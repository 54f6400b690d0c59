/**
 * The rules engine: turns the project's files and the providers' facts into
 * subjects, runs every rule that reads each subject, applies suppressions and
 * the fail-on threshold. Pure: the caller reads files, collects facts and
 * passes today's date.
 */
import { createHash } from 'node:crypto'
import type { Fact } from '../model.js'
import { parseDockerfile } from './dockerfile-parser.js'
import { ALL_RULES } from './rules/index.js'
import { EXPIRED_SUPPRESSION, FILE_NOT_READ, PARSE_ERROR, RULE_FAILED, SUPPRESSION_WITHOUT_REASON } from './rules/core.js'
import { parseComposeFile, parseManifestServices } from './service-spec.js'
import { inlineIgnores, isExpired, skipMatches, type InlineIgnore, type SkipEntry } from './suppressions.js'
import { atOrAbove, SEVERITY_ORDER, type Finding, type Hit, type Location, type Rule, type RuleContext, type Severity, type SubjectKind } from './types.js'

export type FileRole = 'dockerfile' | 'compose' | 'manifest' | 'env' | 'source'

export interface ProjectFile {
  /** relative to the project root, with forward slashes */
  path: string
  text: string
  role: FileRole
  /** set when the file was not read (too large): why, as a sentence; the engine reports it */
  unread?: string
}

export interface CheckInput {
  files: ProjectFile[]
  facts: Fact[]
  /** checks.skip from strato.yaml, with where each entry is written */
  skips: SkipEntry[]
}

export interface CheckOptions {
  /** YYYY-MM-DD: suppressions expire against it */
  today: string
  requiredTags?: string[]
  failOn?: Severity
  rules?: readonly Rule[]
}

export interface CheckSummary {
  critical: number
  high: number
  medium: number
  low: number
  suppressed: number
  files: number
  facts: number
  rules: number
}

export interface CheckReport {
  /** findings still in force, most severe first */
  findings: Finding[]
  suppressed: Finding[]
  summary: CheckSummary
  failOn?: Severity
  /** a finding at or above failOn remains */
  failed: boolean
}

interface Subject { kind: SubjectKind; value: unknown; file?: ProjectFile; lines?: string[]; resource?: { target: string; resource: string; factKind: string } }

export function runChecks(input: CheckInput, options: CheckOptions): CheckReport {
  const rules = options.rules ?? ALL_RULES
  const context: RuleContext = { requiredTags: options.requiredTags ?? [] }
  const rulesByKind = new Map<SubjectKind, Rule[]>()
  for (const rule of rules) {
    for (const kind of rule.reads) rulesByKind.set(kind, [...(rulesByKind.get(kind) ?? []), rule])
  }
  const ruleMeta = new Map(ALL_RULES.map((rule) => [rule.id, rule]))
  for (const rule of rules) ruleMeta.set(rule.id, rule)

  const findings: Finding[] = []
  const linesByFile = new Map<string, string[]>()
  const raise = (ruleId: string, message: string, location: Location, lineText = '') => {
    const rule = ruleMeta.get(ruleId)!
    findings.push({ ruleId, title: rule.title, severity: rule.severity, message, location, fingerprint: fingerprint(ruleId, location, lineText, message) })
  }

  const subjects: Subject[] = []
  for (const file of input.files) {
    if (file.unread) {
      raise(FILE_NOT_READ, `${file.path} was not checked: ${file.unread}`, { kind: 'file', path: file.path, line: 1 })
      continue
    }
    const lines = file.text.split(/\r?\n/)
    linesByFile.set(file.path, lines)
    const parseError = (line: number, message: string) => raise(PARSE_ERROR, `${file.path} could not be parsed: ${message.replace(/[.?!]?$/, (end) => end || '.')}`, { kind: 'file', path: file.path, line }, lines[line - 1] ?? '')
    switch (file.role) {
      case 'dockerfile': {
        const dockerfile = parseDockerfile(file.text)
        if (dockerfile.errors.length) parseError(dockerfile.errors[0].line, dockerfile.errors[0].message)
        // The lines that did parse are still checked: one typo should not hide a root user or a secret.
        if (dockerfile.stages.length) subjects.push({ kind: 'dockerfile', value: { path: file.path, text: file.text, dockerfile }, file, lines })
        break
      }
      case 'compose':
      case 'manifest': {
        const parsed = file.role === 'compose' ? parseComposeFile(file.text) : parseManifestServices(file.text, file.path)
        if (parsed.error) parseError(parsed.error.line, parsed.error.message)
        for (const service of parsed.services) subjects.push({ kind: 'service', value: { path: file.path, text: file.text, service }, file, lines })
        break
      }
      case 'env':
        subjects.push({ kind: 'envFile', value: { path: file.path, text: file.text, lines }, file, lines })
        break
      case 'source':
        break
    }
    if (file.role !== 'env') subjects.push({ kind: 'sourceFile', value: { path: file.path, text: file.text, lines, structured: file.role !== 'source' }, file, lines })
  }
  for (const fact of input.facts) {
    subjects.push({
      kind: fact.kind as SubjectKind,
      value: { kind: fact.kind, resource: fact.resource, target: fact.target, data: fact.data },
      resource: { target: fact.target, resource: fact.resource, factKind: fact.kind },
    })
  }

  for (const subject of subjects) {
    for (const rule of rulesByKind.get(subject.kind) ?? []) {
      let hits: Hit[]
      try {
        hits = rule.check(subject.value as never, context)
      } catch (error) {
        const where = subject.file ? subject.file.path : `${subject.resource!.target}/${subject.resource!.resource}`
        const location: Location = subject.file ? { kind: 'file', path: subject.file.path, line: 1 } : { kind: 'resource', ...subject.resource! }
        raise(RULE_FAILED, `Rule ${rule.id} failed on ${where}: ${error instanceof Error ? error.message : String(error)}. This is a bug in strato; the other rules still ran.`, location)
        continue
      }
      for (const hit of hits) {
        if (subject.file) {
          const line = hit.line ?? 1
          const location: Location = { kind: 'file', path: subject.file.path, line }
          if (hit.column !== undefined) location.column = hit.column
          raise(rule.id, hit.message, location, subject.lines?.[line - 1] ?? '')
        } else {
          raise(rule.id, hit.message, { kind: 'resource', ...subject.resource!, resource: hit.resource ?? subject.resource!.resource })
        }
      }
    }
  }

  return applySuppressions(findings, input, linesByFile, options, raise, rules.length)
}

function applySuppressions(
  raw: Finding[], input: CheckInput, linesByFile: Map<string, string[]>, options: CheckOptions,
  raise: (ruleId: string, message: string, location: Location, lineText?: string) => void, ruleCount: number,
): CheckReport {
  const inline = new Map<string, InlineIgnore[]>()
  const produced = raw.length
  for (const [file, lines] of linesByFile) {
    for (const ignore of inlineIgnores(file, lines)) {
      if (!ignore.reason) {
        raise(SUPPRESSION_WITHOUT_REASON, `strato:ignore ${ignore.id} has no reason, so it does not suppress anything.`, { kind: 'file', path: file, line: ignore.line }, lines[ignore.line - 1])
        continue
      }
      if (isExpired(ignore.until, options.today)) {
        raise(EXPIRED_SUPPRESSION, `strato:ignore ${ignore.id} expired on ${ignore.until} ("${ignore.reason}").`, { kind: 'file', path: file, line: ignore.line }, lines[ignore.line - 1])
        continue
      }
      inline.set(file, [...(inline.get(file) ?? []), ignore])
    }
  }
  const activeSkips: SkipEntry[] = []
  for (const entry of input.skips) {
    if (isExpired(entry.until, options.today)) {
      const scope = entry.path ? ` for ${entry.path}` : ''
      raise(EXPIRED_SUPPRESSION, `checks.skip ${entry.id}${scope} expired on ${entry.until} ("${entry.reason}").`, { kind: 'file', path: entry.file, line: entry.line }, `${entry.id}${scope}`)
    } else {
      activeSkips.push(entry)
    }
  }

  const findings: Finding[] = []
  const suppressed: Finding[] = []
  for (const [index, finding] of raw.entries()) {
    // Findings about suppressions themselves can not be suppressed by the suppressions they describe.
    const isAboutSuppression = index >= produced
    const location = finding.location
    const ignore = !isAboutSuppression && location.kind === 'file'
      ? inline.get(location.path)?.find((item) => item.id === finding.ruleId && item.covers.includes(location.line))
      : undefined
    if (ignore) {
      suppressed.push({ ...finding, suppressed: { by: 'inline', reason: ignore.reason, until: ignore.until, path: ignore.file, line: ignore.line } })
      continue
    }
    const skip = isAboutSuppression ? undefined : activeSkips.find((entry) => skipMatches(entry, finding))
    if (skip) {
      suppressed.push({ ...finding, suppressed: { by: 'manifest', reason: skip.reason, until: skip.until, path: skip.file, line: skip.line } })
      continue
    }
    findings.push(finding)
  }
  findings.sort(compareFindings)
  suppressed.sort(compareFindings)

  const count = (severity: Severity) => findings.filter((finding) => finding.severity === severity).length
  const summary: CheckSummary = {
    critical: count('critical'), high: count('high'), medium: count('medium'), low: count('low'),
    suppressed: suppressed.length,
    files: input.files.filter((file) => !file.unread).length,
    facts: input.facts.length,
    rules: ruleCount,
  }
  const failOn = options.failOn
  const failed = failOn !== undefined && findings.some((finding) => atOrAbove(finding.severity, failOn))
  return { findings, suppressed, summary, failOn, failed }
}

export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity)
  if (bySeverity) return bySeverity
  const where = (finding: Finding) => (finding.location.kind === 'file' ? finding.location.path : `${finding.location.target}/${finding.location.resource}`)
  const byPlace = where(a) < where(b) ? -1 : where(a) > where(b) ? 1 : 0
  if (byPlace) return byPlace
  const lineOf = (finding: Finding) => (finding.location.kind === 'file' ? finding.location.line : 0)
  return lineOf(a) - lineOf(b) || a.ruleId.localeCompare(b.ruleId)
}

/** Survives edits that move the line: it hashes the rule, the file or resource, the line's text and the message. */
function fingerprint(ruleId: string, location: Location, lineText: string, message: string): string {
  const place = location.kind === 'file' ? location.path : `${location.target}/${location.resource}`
  return createHash('sha256').update(`${ruleId}\0${place}\0${lineText.trim()}\0${message}`).digest('hex').slice(0, 32)
}
