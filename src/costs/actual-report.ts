/** Renders actual spend: table, CSV, Markdown and the --json shape. */
import { renderCsv } from '../output/csv.js'
import { renderMarkdownTable } from '../output/markdown-table.js'
import { renderTable } from '../output/table.js'
import type { ActualReport, ActualRow } from './actual.js'
import { centsNumber, centsText, formatMoney } from './money.js'
import type { MalformedLine } from './focus.js'

export interface SourceNote {
  /** a file name, or a provider and target */
  source: string
  detail: string
  malformed?: { count: number; lines: MalformedLine[] }
}

const period = (row: ActualRow) => (row.from === row.to ? row.from : `${row.from}..${row.to}`)

function cells(report: ActualReport): { headers: string[]; rows: string[][]; right: number[] } {
  const headers = ['PROJECT', 'SERVICE', 'PROVIDER', report.by === 'day' ? 'DAY' : 'PERIOD', 'AMOUNT', 'CURRENCY']
  const rows = report.rows.map((row) => [row.project, row.service, row.provider, period(row), centsText(row.cents), row.currency])
  for (const total of report.totals) {
    rows.push(['TOTAL', '', '', '', centsText(total.cents), total.currency])
    if (total.untaggedCents !== 0n) rows.push(['  of which untagged', '', '', '', centsText(total.untaggedCents), total.currency])
  }
  return { headers, rows, right: [4] }
}

export function sourceLines(notes: SourceNote[]): string[] {
  const lines: string[] = []
  for (const note of notes) {
    lines.push(`Source: ${note.source} (${note.detail}).`)
    if (note.malformed && note.malformed.count > 0) {
      lines.push(`${note.malformed.count} malformed line${note.malformed.count === 1 ? '' : 's'} in ${note.source} not counted:`)
      for (const bad of note.malformed.lines.slice(0, 20)) lines.push(`  line ${bad.line}: ${bad.reason}`)
      if (note.malformed.count > 20) lines.push(`  ... and ${note.malformed.count - 20} more (all in --json, up to 100).`)
    }
  }
  return lines
}

export function renderActualTable(report: ActualReport, notes: SourceNote[], bold: (text: string) => string = (text) => text): string {
  const { headers, rows, right } = cells(report)
  const styled = rows.map((row) => (row[0] === 'TOTAL' ? row.map(bold) : row))
  return [renderTable(headers, styled, { alignRight: right, header: bold }), '', 'Amounts rounded half-even to the cent; rows adjusted by largest remainder to add up to the totals.', ...sourceLines(notes)].join('\n')
}

export function renderActualCsv(report: ActualReport): string {
  return renderCsv(['project', 'service', 'provider', 'from', 'to', 'amount', 'currency', 'tagged'],
    report.rows.map((row) => [row.project, row.service, row.provider, row.from, row.to, centsText(row.cents), row.currency, row.tagged]))
}

export function renderActualMarkdown(report: ActualReport, notes: SourceNote[]): string {
  const { headers, rows, right } = cells(report)
  const title = report.period ? `### strato cost actual: ${report.period.from} to ${report.period.to}` : '### strato cost actual'
  const totals = report.totals.map((total) => `**${formatMoney(total.cents, total.currency)}**${total.untaggedCents !== 0n ? ` (untagged: ${formatMoney(total.untaggedCents, total.currency)})` : ''}`)
  return [title, '', `Total: ${totals.join(', ') || 'no spend'}`, '', renderMarkdownTable(headers.map((h) => h.charAt(0) + h.slice(1).toLowerCase()), rows, right), '', ...sourceLines(notes).map((line) => `_${line.trim()}_`)].join('\n') + '\n'
}

export function actualJson(report: ActualReport, notes: SourceNote[]) {
  return {
    by: report.by,
    period: report.period ?? null,
    rounding: 'half-even to the cent; rows adjusted by largest remainder to add up to the totals',
    rows: report.rows.map((row) => ({
      project: row.tagged ? row.project : null, service: row.service || null, provider: row.provider, from: row.from, to: row.to, amount: centsNumber(row.cents), currency: row.currency, tagged: row.tagged,
    })),
    totals: report.totals.map((total) => ({ currency: total.currency, amount: centsNumber(total.cents), tagged: centsNumber(total.taggedCents), untagged: centsNumber(total.untaggedCents) })),
    sources: notes.map((note) => ({ source: note.source, detail: note.detail, malformed: note.malformed ?? { count: 0, lines: [] } })),
  }
}
