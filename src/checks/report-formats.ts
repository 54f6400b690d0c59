/**
 * A check report rendered for people (table, Markdown for pull requests) and
 * for machines (SARIF for code scanning, JUnit for CI test views). Pure.
 */
import { renderJunit, type JunitSuite } from '../output/junit.js'
import { details, inlineCode, markdownTable } from '../output/markdown.js'
import { renderSarif, type SarifLevel } from '../output/sarif.js'
import { renderTable } from '../output/table.js'
import type { CheckReport } from './engine.js'
import { describeLocation, SEVERITY_ORDER, type Finding, type Rule, type Severity } from './types.js'

export interface Paint {
  red(text: string): string
  yellow(text: string): string
  cyan(text: string): string
  bold(text: string): string
  dim(text: string): string
  green(text: string): string
}

const SEVERITY_LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' }
/** GitHub reads security-severity: >= 9 critical, >= 7 high, >= 4 medium, else low. */
const SECURITY_SEVERITY: Record<Severity, number> = { critical: 9.5, high: 8.0, medium: 5.5, low: 3.0 }

export function paintSeverity(severity: Severity, paint: Paint): string {
  const label = severity.toUpperCase()
  if (severity === 'critical') return paint.bold(paint.red(label))
  if (severity === 'high') return paint.red(label)
  if (severity === 'medium') return paint.yellow(label)
  return paint.cyan(label)
}

export function summaryLine(report: CheckReport): string {
  const { summary } = report
  const counts = SEVERITY_ORDER.map((severity) => `${summary[severity]} ${severity}`).join(', ')
  const suppressed = summary.suppressed ? `, ${summary.suppressed} suppressed` : ''
  return `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} (${counts}${suppressed}) from ${summary.rules} rules over ${summary.files} files and ${summary.facts} facts.`
}

/** Findings grouped by severity, most severe first, one table per group. */
export function renderReportTable(report: CheckReport, paint: Paint): string {
  const blocks: string[] = []
  for (const severity of SEVERITY_ORDER) {
    const group = report.findings.filter((finding) => finding.severity === severity)
    if (!group.length) continue
    blocks.push(`${paintSeverity(severity, paint)} ${paint.dim(`(${group.length})`)}`)
    blocks.push(renderTable(['RULE', 'WHERE', 'FINDING'], group.map((finding) => [paint.bold(finding.ruleId), describeLocation(finding.location), finding.message]), { header: paint.dim }))
    blocks.push('')
  }
  if (!report.findings.length) blocks.push(paint.green('No findings.'))
  blocks.push(summaryLine(report))
  if (report.failOn) {
    blocks.push(report.failed
      ? paint.red(`Failing: findings at or above ${report.failOn} remain.`)
      : paint.green(`Passing: nothing at or above ${report.failOn}.`))
  }
  return blocks.join('\n')
}

const MARKDOWN_MAX_ROWS = 100

export function renderReportMarkdown(report: CheckReport, rules: readonly Rule[]): string {
  const byId = new Map(rules.map((rule) => [rule.id, rule]))
  const status = report.failOn
    ? report.failed ? `:x: findings at or above **${report.failOn}** remain` : `:white_check_mark: nothing at or above **${report.failOn}**`
    : report.findings.length ? ':warning: findings to review' : ':white_check_mark: no findings'
  const lines = ['## strato check', '', `${status}. ${summaryLine(report)}`, '']
  if (report.findings.length) {
    // Pull-request comments are limited in size (65,536 characters on GitHub): list the most severe first, then count the rest.
    const shown = report.findings.slice(0, MARKDOWN_MAX_ROWS)
    lines.push(markdownTable(
      ['Severity', 'Rule', 'Where', 'Finding'],
      shown.map((finding) => [finding.severity, `${finding.ruleId} ${finding.title}`, inlineCode(describeLocation(finding.location)), finding.message]),
    ))
    if (report.findings.length > shown.length) lines.push('', `...and ${report.findings.length - shown.length} more; run \`strato check\` for the full list.`)
    lines.push('')
    const seen = [...new Set(report.findings.map((finding) => finding.ruleId))]
    const fixes = seen.map((id) => byId.get(id)).filter((rule): rule is Rule => rule !== undefined)
      .map((rule) => `- **${rule.id} ${rule.title}**: ${rule.remediation}`)
    lines.push(details('How to fix', fixes.join('\n')))
  }
  if (report.suppressed.length) {
    lines.push('')
    lines.push(details(`${report.suppressed.length} suppressed`, markdownTable(
      ['Rule', 'Where', 'Reason', 'Until'],
      report.suppressed.map((finding) => [finding.ruleId, inlineCode(describeLocation(finding.location)), finding.suppressed!.reason, finding.suppressed!.until ?? '']),
    )))
  }
  return `${lines.join('\n')}\n`
}

/** One suite per pack; a rule with no findings is one passing case, each finding a failing one. */
export function renderReportJunit(report: CheckReport, rules: readonly Rule[]): string {
  const suites: JunitSuite[] = []
  const packs = [...new Set(rules.map((rule) => rule.pack))]
  for (const pack of packs) {
    const suite: JunitSuite = { name: `strato check: ${pack}`, cases: [] }
    for (const rule of rules.filter((item) => item.pack === pack)) {
      const findings = report.findings.filter((finding) => finding.ruleId === rule.id)
      if (!findings.length) {
        suite.cases.push({ name: `${rule.id} ${rule.title}`, classname: `strato.${pack}` })
        continue
      }
      for (const finding of findings) {
        suite.cases.push({
          name: `${rule.id} ${describeLocation(finding.location)}`,
          classname: `strato.${pack}`,
          failure: { message: finding.message, type: finding.severity, body: `${rule.title}\n${describeLocation(finding.location)}\n\nFix: ${rule.remediation}` },
        })
      }
    }
    suites.push(suite)
  }
  return renderJunit('strato check', suites)
}

export interface SarifOptions {
  version: string
  /** base of per-rule documentation (the rule id is appended as an anchor); without it, rules carry their help text only */
  rulesDocUrl?: string
  informationUri?: string
  /** where each target is declared in strato.yaml, so live findings also point at a file */
  targetAnchors?: Record<string, { path: string; line: number }>
  /** for live findings on a target strato.yaml does not declare (the default local engine) */
  manifestAnchor?: { path: string; line: number }
}

export function renderReportSarif(report: CheckReport, rules: readonly Rule[], options: SarifOptions): Record<string, unknown> {
  const toResult = (finding: Finding) => {
    const location = finding.location
    // Code scanning shows results at a file; a live finding points at the target's entry in strato.yaml.
    const anchor = location.kind === 'resource' ? options.targetAnchors?.[location.target] ?? options.manifestAnchor : undefined
    return {
      ruleId: finding.ruleId,
      level: SEVERITY_LEVEL[finding.severity],
      message: finding.message,
      file: location.kind === 'file' ? { path: location.path, line: location.line, column: location.column } : anchor,
      logical: location.kind === 'resource'
        ? { name: location.resource, fullyQualifiedName: `${location.target}/${location.resource}`, kind: 'resource' }
        : undefined,
      fingerprint: finding.fingerprint,
      suppression: finding.suppressed
        ? { kind: finding.suppressed.by === 'inline' ? 'inSource' as const : 'external' as const, justification: finding.suppressed.reason }
        : undefined,
    }
  }
  return renderSarif({
    toolName: 'strato',
    version: options.version,
    informationUri: options.informationUri,
    rules: rules.map((rule) => ({
      id: rule.id,
      name: rule.title.replace(/[^A-Za-z0-9]+(.)?/g, (_all, next: string | undefined) => (next ? next.toUpperCase() : '')).replace(/^./, (first) => first.toUpperCase()),
      shortDescription: rule.title,
      fullDescription: rule.rationale,
      helpText: ruleHelpText(rule),
      helpMarkdown: ruleHelpMarkdown(rule),
      helpUri: options.rulesDocUrl ? `${options.rulesDocUrl}#${rule.id.toLowerCase()}` : undefined,
      level: SEVERITY_LEVEL[rule.severity],
      securitySeverity: SECURITY_SEVERITY[rule.severity],
      tags: ['security', rule.pack, ...rule.references.map((reference) => `${reference.standard} ${reference.id}`)],
    })),
    results: [...report.findings, ...report.suppressed].map(toResult),
  })
}

export function referenceText(rule: Rule): string[] {
  return rule.references.map((reference) => `${reference.standard} ${reference.id}${reference.title ? `: ${reference.title}` : ''}`)
}

export function ruleHelpText(rule: Rule): string {
  const references = referenceText(rule)
  return [`${rule.id} ${rule.title} (${rule.severity})`, '', rule.rationale, '', `Fix: ${rule.remediation}`, ...(references.length ? ['', 'References:', ...references.map((line) => `  ${line}`)] : [])].join('\n')
}

export function ruleHelpMarkdown(rule: Rule): string {
  const references = referenceText(rule)
  return [`**${rule.id} ${rule.title}** (${rule.severity})`, '', rule.rationale, '', `**Fix:** ${rule.remediation}`, ...(references.length ? ['', '**References:**', ...references.map((line) => `- ${line}`)] : [])].join('\n')
}

/** Where rule documentation lives; SARIF viewers link each rule there. */
/** Where a team publishes the rule reference (`strato check rules --format markdown`), for SARIF help links. */
export const rulesDocUrlFrom = (env: NodeJS.ProcessEnv): string | undefined => env.STRATO_RULES_DOC_URL || undefined

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'junit', 'markdown'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** The report in one of the output formats; `json` is the value given (the command's --json contract). */
export function renderReport(format: ReportFormat, report: CheckReport, rules: readonly Rule[], options: SarifOptions & { paint: Paint; json: unknown }): string {
  switch (format) {
    case 'table': return renderReportTable(report, options.paint)
    case 'markdown': return renderReportMarkdown(report, rules)
    case 'junit': return renderReportJunit(report, rules)
    case 'sarif': return JSON.stringify(renderReportSarif(report, rules, options), null, 2)
    case 'json': return JSON.stringify(options.json, null, 2)
  }
}
