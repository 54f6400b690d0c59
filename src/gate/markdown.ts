/**
 * The gate's pull-request comment: the verdict first, the gates in a table,
 * then collapsible sections (findings new and already present, the cost delta
 * per service and target, the plan). Deterministic, with no clock and no
 * commit ids, so a bot can compare it with the comment it posted before and
 * update that one in place; kept under GitHub's comment limit by listing fewer
 * rows (with a note) until it fits. Pure.
 */
import { describeLocation, type Finding } from '../checks/types.js'
import { delta, diffSummary, type CostDiff, type DiffRow } from '../costs/diff.js'
import { SCENARIOS } from '../costs/estimate.js'
import { centsText, formatMoney } from '../costs/money.js'
import { formatProblem } from '../manifest/load.js'
import { inlineCode, markdownTable } from '../output/markdown.js'
import { planRows } from '../planning/project-plan.js'
import type { GateCheck, GateResult, TargetPlan } from './result.js'

/** GitHub refuses comments longer than this many characters. */
export const COMMENT_LIMIT = 65_536
/** Found by the CI step that updates its one comment instead of adding another. */
export const GATE_MARKER = '<!-- strato:gate -->'
/** A little under the limit, so a CI step may add a line of its own. */
const DEFAULT_MAX_LENGTH = COMMENT_LIMIT - 1_536
const ROW_STEPS = [100, 50, 25, 10, 5, 0]
const MAX_CELL = 300

const ICON: Record<GateCheck['status'], string> = { pass: '✅', fail: '❌', error: '⚠️', off: '➖' }
const TITLE: Record<GateResult['verdict'], string> = {
  pass: '✅ strato gate passed',
  fail: '❌ strato gate failed',
  error: '⚠️ strato gate could not judge this change',
}

export function renderGateMarkdown(result: GateResult, maxLength = DEFAULT_MAX_LENGTH): string {
  for (const rows of ROW_STEPS) {
    const text = compose(result, rows)
    if (text.length <= maxLength) return text
  }
  // Only pathological input (thousands of gates' worth of text) gets here: cut, and say so.
  const note = `\n\n_The report was cut to fit a comment; run \`strato gate --json\` for all of it._\n\n${GATE_MARKER}\n`
  return compose(result, 0).slice(0, maxLength - note.length) + note
}

function compose(result: GateResult, rows: number): string {
  const blocks = [`## ${TITLE[result.verdict]}`, '', `Compared with the merge base of this change and ${inlineCode(result.base.ref)}.`, '']
  blocks.push(markdownTable(['', 'Gate', 'Result'], result.gates.map((gate) => [ICON[gate.status], gate.title, gate.outcome])))
  if (result.manifest.problems.length) {
    const { problems } = result.manifest
    const list = problems.slice(0, rows).map((problem) => `- ${inlineCode(formatProblem(problem))}`)
    const note = leftOut(problems.length, rows, 'problem')
    blocks.push('', section(`Manifest: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, [...list, ...(note ? [note] : [])].join('\n'), true))
  }
  blocks.push('', findingsSection(result, rows))
  if (result.cost) blocks.push('', costSection(result, rows))
  if (result.plan) blocks.push('', planSection(result.plan, rows, gateOf(result, 'plan')?.status === 'error'))
  blocks.push('', GATE_MARKER)
  return `${blocks.join('\n')}\n`
}

const gateOf = (result: GateResult, id: GateCheck['id']) => result.gates.find((gate) => gate.id === id)

function section(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}>\n<summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`
}

/** Cells come from files and manifests: no raw HTML, and no cell long enough to crowd out the rest. */
function cell(text: string): string {
  const short = text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text
  return escapeHtml(short)
}

function escapeHtml(text: string): string {
  return text.replace(/</g, '&lt;')
}

/** Says how many of `total` items were left out when only `rows` are listed. */
function leftOut(total: number, rows: number, noun: string): string | undefined {
  const left = total - rows
  return left > 0 ? `…and ${left} ${rows ? 'more ' : ''}${noun}${left === 1 ? '' : 's'}, left out to fit a comment (\`strato gate --json\` lists all).` : undefined
}

/** A table of the first `rows` items, and the note on the rest. */
function cappedTable(table: (shown: number) => string, total: number, rows: number, noun: string): string {
  const note = leftOut(total, rows, noun)
  if (rows === 0 && note) return note
  return note ? `${table(Math.min(rows, total))}\n\n${note}` : table(total)
}

function findingTable(findings: Finding[], rows: number): string {
  if (!findings.length) return '_None._'
  return cappedTable((shown) => markdownTable(['Severity', 'Rule', 'Where', 'Finding'], findings.slice(0, shown).map((finding) => [
    finding.severity, `${finding.ruleId} ${cell(finding.title)}`, inlineCode(describeLocation(finding.location)), cell(finding.message),
  ])), findings.length, rows, 'finding')
}

function findingsSection(result: GateResult, rows: number): string {
  const { findings } = result
  const counts = [`${findings.new.length} new`, `${findings.existing.length} already present`, `${findings.resolved.length} resolved`]
  if (findings.suppressed.length) counts.push(`${findings.suppressed.length} suppressed`)
  const existingNote = findings.failOnExisting
    ? 'They count towards the gate (--fail-on-existing).'
    : 'They do not fail the gate; --fail-on-existing makes them count.'
  const body = [
    `**New in this change**`, '', findingTable(findings.new, rows), '',
    `**Already present on the base.** ${existingNote}`, '', findingTable(findings.existing, rows), '',
    `**Resolved by this change**`, '', findingTable(findings.resolved, rows),
  ]
  return section(`Findings: ${counts.join(', ')}`, body.join('\n'), findings.blocking.length > 0)
}

const signed = (cents: bigint) => (cents > 0n ? `+${centsText(cents)}` : centsText(cents))

function deltaOf(row: DiffRow, scenario: (typeof SCENARIOS)[number]): bigint {
  return (row.head?.[scenario] ?? 0n) - (row.base?.[scenario] ?? 0n)
}

function costTable(diff: CostDiff, rows: number): string {
  const changed = diff.rows.filter((row) => row.change !== 'same')
  if (!changed.length) return '_No service or target changes cost._'
  const lines = changed.slice(0, Math.max(rows, 0)).map((row) => [
    row.service, row.target, `${row.change}${row.unknown ? ' (some prices unknown)' : ''}`,
    row.base ? centsText(row.base.expected) : '—', row.head ? centsText(row.head.expected) : '—',
    ...SCENARIOS.map((scenario) => signed(deltaOf(row, scenario))),
  ])
  const total = SCENARIOS.map((scenario) => signed(diff.head.total[scenario] - diff.base.total[scenario]))
  lines.push(['**Total**', '', '', centsText(diff.base.total.expected), centsText(diff.head.total.expected), ...total])
  const table = markdownTable(['Service', 'Target', 'Change', 'Base', 'Head', 'Δ min', 'Δ expected', 'Δ max'], lines, ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right'])
  // The total row stays even when no line fits: it is the number the gate judges.
  const note = leftOut(changed.length, rows, 'row')
  return note ? `${table}\n\n${note}` : table
}

function costSection(result: GateResult, rows: number): string {
  const cost = result.cost!
  const { diff } = cost
  const change = diff.head.total.expected - diff.base.total.expected
  const magnitude = change < 0n ? -change : change
  const summary = change === 0n ? 'Cost: no change' : `Cost: ${change > 0n ? '+' : '-'}${formatMoney(magnitude, diff.currency)} per month`
  const body = [diffSummary(diff), '']
  for (const check of cost.increases) body.push(`- ${check.summary}`)
  if (cost.budget) body.push(`- ${cost.budget.summary}`)
  if (cost.increases.length || cost.budget) body.push('')
  body.push(costTable(diff, rows), '')
  for (const note of cost.notes) body.push(`> ${escapeHtml(note)}`, '')
  body.push(`_Monthly amounts in ${diff.currency} (base and head expected; deltas at min, expected and max replicas). Prices: ${diff.catalog.source} (${diff.catalog.date})._`)
  const failed = ['cost-increase', 'budget'].some((id) => gateOf(result, id as GateCheck['id'])?.status === 'fail')
  return section(summary, body.join('\n'), failed)
}

const STATUS_TEXT: Record<Exclude<TargetPlan['status'], 'planned'>, string> = {
  offline: 'not planned (--offline)',
  unsupported: 'not planned, its provider is not supported yet',
  unreachable: 'not reachable',
  denied: 'refused the credentials',
}

function planSection(plan: NonNullable<GateResult['plan']>, rows: number, open: boolean): string {
  const actions = plan.targets.flatMap((entry) => (entry.status === 'planned' ? entry.actions : [])).filter((action) => action.kind !== 'noop')
  const body: string[] = []
  if (plan.offline) {
    body.push('Planning was skipped (--offline): no target was asked what runs there.')
  } else {
    if (actions.length) {
      body.push(cappedTable((shown) => markdownTable(['Target', 'Service', 'Action', 'Replicas', 'Version', 'Why'], planRows(actions.slice(0, shown)).map((line) => line.map(cell))), actions.length, rows, 'change'))
    } else {
      body.push('_No changes on the planned targets._')
    }
    body.push('')
    for (const entry of plan.targets) {
      const status = entry.status === 'planned' ? `planned, ${entry.actions.filter((action) => action.kind !== 'noop').length} change(s)` : STATUS_TEXT[entry.status]
      const needed = entry.needed ? ', affected by this change' : ''
      const why = entry.status === 'planned' ? '' : ` — ${cell(entry.message)}`
      body.push(`- ${inlineCode(entry.target)} (${entry.provider}${needed}): ${status}${why}`)
    }
  }
  const planned = plan.targets.filter((entry) => entry.status === 'planned').length
  const summary = plan.offline ? 'Plan: skipped (--offline)' : `Plan: ${actions.length} change${actions.length === 1 ? '' : 's'} on ${planned} of ${plan.targets.length} target${plan.targets.length === 1 ? '' : 's'}`
  return section(summary, body.join('\n'), open)
}
