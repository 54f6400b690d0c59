/** Renders actual spend: table, CSV, Markdown and the --json shape. Each figure is labelled with its metric. */
import { renderCsv } from '../output/csv.js'
import { renderMarkdownTable } from '../output/markdown-table.js'
import { renderTable } from '../output/table.js'
import type { ActualReport, ActualRow } from './actual.js'
import { UNTAGGED } from './actual.js'
import type { CostColumn, Dimension } from './focus-query.js'
import { centsNumber, centsText, formatMoney } from './money.js'

export interface SourceNote {
  /** a file name, or a provider and target */
  source: string
  detail: string
  /** further sentences: rows without a value, unreadable tags, skipped rows */
  remarks?: string[]
  /** for --json: the figures behind the remarks */
  figures?: Record<string, unknown>
}

const METRIC_MEANING: Record<CostColumn, string> = {
  BilledCost: 'what was invoiced',
  EffectiveCost: 'amortised: commitments spread over the usage they cover',
  ListCost: 'at public list prices',
  ContractedCost: 'at negotiated prices, before commitment discounts',
}

export const ROUNDING = 'each figure is its exact sum rounded once, half-even to the cent; rows may differ from the total by a few cents'

const SHORT_KINDS = new Set(['project', 'service', 'provider', 'day', 'month'])

function heading(dimension: Dimension): string {
  return SHORT_KINDS.has(dimension.kind) ? dimension.label.toUpperCase() : dimension.label
}

function shown(dimension: Dimension, value: string | null): string {
  if (value !== null) return value
  return dimension.kind === 'project' ? UNTAGGED : '(none)'
}

/** Whether rows carry their own period column: only when no day or month grouping says it. */
function hasPeriod(report: ActualReport): boolean {
  return !report.by.some((dimension) => dimension.kind === 'day' || dimension.kind === 'month')
}

const period = (row: ActualRow) => (row.from === row.to ? row.from : `${row.from}..${row.to}`)

function cells(report: ActualReport): { headers: string[]; rows: string[][]; right: number[] } {
  const withPeriod = hasPeriod(report)
  const lead = report.by.length + (withPeriod ? 1 : 0)
  const headers = [...report.by.map(heading), ...(withPeriod ? ['PERIOD'] : []), ...report.metrics, 'CURRENCY']
  const rows = report.rows.map((row) => [
    ...row.keys.map((value, index) => shown(report.by[index], value)), ...(withPeriod ? [period(row)] : []), ...row.cents.map(centsText), row.currency,
  ])
  const blank = Array<string>(Math.max(0, lead - 1)).fill('')
  for (const total of report.totals) {
    rows.push(['TOTAL', ...blank, ...total.cents.map(centsText), total.currency])
    if (total.untagged.some((cents) => cents !== 0n)) {
      rows.push(['  tagged (strato.project)', ...blank, ...total.tagged.map(centsText), total.currency])
      rows.push(['  untagged', ...blank, ...total.untagged.map(centsText), total.currency])
    }
  }
  return { headers, rows, right: report.metrics.map((_, index) => lead + index) }
}

export function metricLines(report: ActualReport): string[] {
  return [`Figures: ${report.metrics.map((metric) => `${metric} (${METRIC_MEANING[metric]})`).join('; ')}.`, `Rounding: ${ROUNDING}.`]
}

export function sourceLines(notes: SourceNote[]): string[] {
  const lines: string[] = []
  for (const note of notes) {
    lines.push(`Source: ${note.source} (${note.detail}).`)
    for (const remark of note.remarks ?? []) lines.push(`  ${remark}`)
  }
  return lines
}

export function renderActualTable(report: ActualReport, notes: SourceNote[], bold: (text: string) => string = (text) => text): string {
  const { headers, rows, right } = cells(report)
  const styled = rows.map((row) => (row[0] === 'TOTAL' ? row.map(bold) : row))
  const table = report.rows.length ? renderTable(headers, styled, { alignRight: right, header: bold }) : 'No spend in the data for this period and filter.'
  return [table, '', ...metricLines(report), ...sourceLines(notes)].join('\n')
}

export function renderActualCsv(report: ActualReport): string {
  const headers = [...report.by.map((dimension) => dimension.label), 'from', 'to', ...report.metrics, 'currency', 'rows']
  return renderCsv(headers, report.rows.map((row) => [...row.keys.map((value) => value ?? ''), row.from, row.to, ...row.cents.map(centsText), row.currency, String(row.rows)]))
}

export function renderActualMarkdown(report: ActualReport, notes: SourceNote[]): string {
  const { headers, rows, right } = cells(report)
  const title = report.period ? `### strato cost actual: ${report.period.from} to ${report.period.to}` : '### strato cost actual'
  const totals = report.totals.map((total) => report.metrics.map((metric, index) => `${metric} **${formatMoney(total.cents[index], total.currency)}**${total.untagged[index] !== 0n ? ` (untagged: ${formatMoney(total.untagged[index], total.currency)})` : ''}`).join(', '))
  const title2 = headers.map((header) => (header === header.toUpperCase() ? header.charAt(0) + header.slice(1).toLowerCase() : header))
  return [title, '', `Total: ${totals.join('; ') || 'no spend'}`, '', renderMarkdownTable(title2, rows, right), '', ...[...metricLines(report), ...sourceLines(notes)].map((line) => `_${line.trim()}_`)].join('\n') + '\n'
}

const byMetric = (metrics: CostColumn[], cents: bigint[]) => Object.fromEntries(metrics.map((metric, index) => [metric, centsNumber(cents[index])]))

export function actualJson(report: ActualReport, notes: SourceNote[]) {
  return {
    by: report.by.map((dimension) => dimension.label),
    metrics: report.metrics,
    period: report.period ?? null,
    rounding: ROUNDING,
    rows: report.rows.map((row) => ({
      group: Object.fromEntries(report.by.map((dimension, index) => [dimension.label, row.keys[index]])),
      from: row.from,
      to: row.to,
      currency: row.currency,
      amounts: byMetric(report.metrics, row.cents),
      rows: row.rows,
      ...(row.nulls.some((count) => count > 0) ? { withoutValue: Object.fromEntries(report.metrics.map((metric, index) => [metric, row.nulls[index]])) } : {}),
    })),
    totals: report.totals.map((total) => ({
      currency: total.currency,
      amounts: byMetric(report.metrics, total.cents),
      tagged: byMetric(report.metrics, total.tagged),
      untagged: byMetric(report.metrics, total.untagged),
      rows: total.rows,
      withoutValue: Object.fromEntries(report.metrics.map((metric, index) => [metric, total.nulls[index]])),
    })),
    sources: notes.map((note) => ({ source: note.source, detail: note.detail, remarks: note.remarks ?? [], ...note.figures })),
  }
}
