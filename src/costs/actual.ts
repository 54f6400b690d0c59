/**
 * Actual spend, from FOCUS exports and from providers' own cost APIs, in one
 * view: grouped by strato project and service tags (optionally by day), with
 * untagged spend shown separately, totals per currency to the cent.
 */
import type { CostLine } from '../model.js'
import type { FocusSummary } from './focus.js'
import { allocateCents, toNanos } from './money.js'

export const UNTAGGED = '(untagged)'

export interface SpendLine {
  source: string
  provider: string
  /** undefined: spend without strato's project tag */
  project?: string
  service?: string
  date: string
  currency: string
  nanos: bigint
}

export interface ActualRow {
  project: string
  service: string
  provider: string
  /** YYYY-MM-DD when grouped by day; the first and last day otherwise */
  from: string
  to: string
  currency: string
  tagged: boolean
  nanos: bigint
  cents: bigint
}

export interface ActualTotal {
  currency: string
  cents: bigint
  taggedCents: bigint
  untaggedCents: bigint
}

export interface ActualReport {
  by: 'service' | 'day'
  rows: ActualRow[]
  totals: ActualTotal[]
  period?: { from: string; to: string }
}

export function focusSpend(summary: FocusSummary, source: string): SpendLine[] {
  return summary.groups.map((group) => ({
    source, provider: group.provider, project: group.project, service: group.service, date: group.date, currency: group.currency, nanos: group.nanos,
  }))
}

/** Provider cost lines belong to the manifest's project: they were queried by its tags. */
export function providerSpend(lines: CostLine[], project: string): SpendLine[] {
  return lines.map((line) => ({
    source: line.source, provider: line.provider, project, service: line.service, date: line.date.slice(0, 10), currency: line.currency, nanos: toNanos(line.amount),
  }))
}

export function actualReport(lines: SpendLine[], by: ActualReport['by']): ActualReport {
  const groups = new Map<string, Omit<ActualRow, 'cents'>>()
  for (const line of lines) {
    const tagged = line.project !== undefined
    const project = line.project ?? UNTAGGED
    const service = line.service ?? (tagged ? '(no service tag)' : '')
    const key = [project, service, line.provider, line.currency, by === 'day' ? line.date : ''].join('\u0000')
    const row = groups.get(key)
    if (!row) {
      groups.set(key, { project, service, provider: line.provider, from: line.date, to: line.date, currency: line.currency, tagged, nanos: line.nanos })
      continue
    }
    row.nanos += line.nanos
    if (line.date < row.from) row.from = line.date
    if (line.date > row.to) row.to = line.date
  }
  const ordered = [...groups.values()].sort((a, b) =>
    Number(a.tagged === false) - Number(b.tagged === false) || cmp(a.currency, b.currency) || cmp(a.project, b.project) ||
    cmp(a.service, b.service) || cmp(a.provider, b.provider) || cmp(a.from, b.from))

  const rows: ActualRow[] = []
  const totals: ActualTotal[] = []
  for (const currency of [...new Set(ordered.map((row) => row.currency))].sort()) {
    const inCurrency = ordered.filter((row) => row.currency === currency)
    const cents = allocateCents(inCurrency.map((row) => row.nanos))
    const total: ActualTotal = { currency, cents: 0n, taggedCents: 0n, untaggedCents: 0n }
    inCurrency.forEach((row, index) => {
      rows.push({ ...row, cents: cents[index] })
      total.cents += cents[index]
      if (row.tagged) total.taggedCents += cents[index]
      else total.untaggedCents += cents[index]
    })
    totals.push(total)
  }
  // Keep untagged rows after all tagged ones, whatever their currency.
  rows.sort((a, b) => Number(!a.tagged) - Number(!b.tagged))
  const dates = lines.map((line) => line.date).sort()
  return { by, rows, totals, period: dates.length ? { from: dates[0], to: dates[dates.length - 1] } : undefined }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Spend of one project in the latest month the data covers, for the budget
 * gate: month-to-date when that month is the current one, else the whole month.
 */
export function monthSpend(lines: SpendLine[], project: string | undefined, currency: string): { month: string; nanos: bigint } | undefined {
  const mine = lines.filter((line) => (project === undefined || line.project === project) && line.currency === currency)
  if (mine.length === 0) return undefined
  const month = mine.reduce((latest, line) => (line.date.slice(0, 7) > latest ? line.date.slice(0, 7) : latest), '')
  const nanos = mine.filter((line) => line.date.startsWith(month)).reduce((sum, line) => sum + line.nanos, 0n)
  return { month, nanos }
}
