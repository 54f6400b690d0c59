/**
 * Actual spend, from FOCUS exports and from providers' own cost APIs, in one
 * view: grouped as the query asks, totals per currency. Every figure is an
 * exact sum (nanos) rounded once, half-even to the cent: totals and the
 * tagged and untagged subtotals never depend on how the rows are grouped.
 */
import { usageError } from '../errors.js'
import type { CostLine, Period } from '../model.js'
import type { FocusGroup, MonthSpend, SpendSplit } from './focus.js'
import { dayText, type CostColumn, type Dimension } from './focus-query.js'
import { nanosToCents, toNanos } from './money.js'

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
  /** values of the report's dimensions; null where the rows have none */
  keys: (string | null)[]
  /** first and last day of the rows */
  from: string
  to: string
  currency: string
  /** per metric */
  nanos: bigint[]
  cents: bigint[]
  /** rows without a value, per metric */
  nulls: number[]
  rows: number
}

export interface ActualTotal {
  currency: string
  /** per metric, each its exact sum rounded once */
  cents: bigint[]
  /** spend carrying the strato.project tag, and the rest */
  tagged: bigint[]
  untagged: bigint[]
  nulls: number[]
  rows: number
}

/** Spend from any source, ready for the report: groups, the exact tagged/untagged split, and months for budgets. */
export interface Spend {
  groups: FocusGroup[]
  split: SpendSplit[]
  months: MonthSpend[]
}

export interface ActualReport {
  by: Dimension[]
  metrics: CostColumn[]
  rows: ActualRow[]
  totals: ActualTotal[]
  period?: { from: string; to: string }
}

/** Provider cost lines belong to the manifest's project: they were queried by its tags. */
export function providerSpend(lines: CostLine[], project: string): SpendLine[] {
  return lines.map((line) => ({
    source: line.source, provider: line.provider, project, service: line.service, date: line.date.slice(0, 10), currency: line.currency, nanos: toNanos(line.amount),
  }))
}

/** What providers report can be grouped by project, service, provider, day and month, as billed cost. */
export function providerGroups(lines: SpendLine[], by: Dimension[]): Spend {
  const other = by.find((dimension) => !['project', 'service', 'provider', 'day', 'month'].includes(dimension.kind))
  if (other) throw usageError(`--by ${other.label} reads FOCUS export columns; spend reported by the providers has project, service, provider, day and month.`, 'Pass the exports with --focus FILE, or group by project, service, provider, day or month.')
  const split = new Map<string, SpendSplit>()
  for (const line of lines) {
    let entry = split.get(line.currency)
    if (!entry) split.set(line.currency, (entry = { currency: line.currency, tagged: [0n], untagged: [0n] }))
    if (line.project === undefined) entry.untagged[0] += line.nanos
    else entry.tagged[0] += line.nanos
  }
  return {
    groups: lines.map((line) => ({
      keys: by.map((dimension) => {
        if (dimension.kind === 'project') return line.project ?? null
        if (dimension.kind === 'service') return line.service ?? null
        if (dimension.kind === 'provider') return line.provider
        return dimension.kind === 'day' ? line.date : line.date.slice(0, 7)
      }),
      from: line.date,
      to: line.date,
      currency: line.currency,
      nanos: [line.nanos],
      nulls: [0],
      rows: 1,
    })),
    split: [...split.values()],
    months: lines.map((line) => ({ project: line.project, month: line.date.slice(0, 7), currency: line.currency, nanos: line.nanos })),
  }
}

export function actualReport(spend: Spend, by: Dimension[], metrics: CostColumn[]): ActualReport {
  const merged = new Map<string, ActualRow>()
  const totals = new Map<string, { nanos: bigint[]; tagged: bigint[]; untagged: bigint[]; nulls: number[]; rows: number }>()
  const zeros = () => metrics.map(() => 0n)
  const totalOf = (currency: string) => {
    let total = totals.get(currency)
    if (!total) totals.set(currency, (total = { nanos: zeros(), tagged: zeros(), untagged: zeros(), nulls: metrics.map(() => 0), rows: 0 }))
    return total
  }
  let first: string | undefined
  let last: string | undefined
  for (const group of spend.groups) {
    // Null stands apart from any text: \u0001 cannot appear in a cell worth grouping by.
    const key = `${group.currency}\u0000${group.keys.map((value) => value ?? '\u0001').join('\u0000')}`
    const row = merged.get(key)
    if (!row) merged.set(key, { keys: group.keys, from: group.from, to: group.to, currency: group.currency, nanos: [...group.nanos], cents: [], nulls: [...group.nulls], rows: group.rows })
    else {
      for (let metric = 0; metric < metrics.length; metric++) {
        row.nanos[metric] += group.nanos[metric]
        row.nulls[metric] += group.nulls[metric]
      }
      row.rows += group.rows
      if (group.from < row.from) row.from = group.from
      if (group.to > row.to) row.to = group.to
    }
    const total = totalOf(group.currency)
    for (let metric = 0; metric < metrics.length; metric++) {
      total.nanos[metric] += group.nanos[metric]
      total.nulls[metric] += group.nulls[metric]
    }
    total.rows += group.rows
    if (first === undefined || group.from < first) first = group.from
    if (last === undefined || group.to > last) last = group.to
  }
  for (const split of spend.split) {
    const total = totalOf(split.currency)
    for (let metric = 0; metric < metrics.length; metric++) {
      total.tagged[metric] += split.tagged[metric]
      total.untagged[metric] += split.untagged[metric]
    }
  }
  const rows = [...merged.values()]
  merged.clear()
  for (const row of rows) row.cents = row.nanos.map(nanosToCents)
  rows.sort((a, b) => compare(a.currency, b.currency) || compareKeys(a.keys, b.keys) || compare(a.from, b.from))
  return {
    by,
    metrics,
    rows,
    totals: [...totals.entries()].sort(([a], [b]) => compare(a, b)).map(([currency, total]) => ({
      currency,
      cents: total.nanos.map(nanosToCents),
      tagged: total.tagged.map(nanosToCents),
      untagged: total.untagged.map(nanosToCents),
      nulls: total.nulls,
      rows: total.rows,
    })),
    period: first && last ? { from: first, to: last } : undefined,
  }
}

/** Values in order, the empty (null) ones after the rest. */
function compareKeys(a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue
    if (a[i] === null) return 1
    if (b[i] === null) return -1
    return compare(a[i]!, b[i]!)
  }
  return 0
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Spend of one project in the latest month the data covers, in the first
 * metric, for the budget gate: month-to-date when that month is the current
 * one, else the whole month.
 */
export function monthSpend(months: MonthSpend[], project: string | undefined, currency: string): { month: string; nanos: bigint } | undefined {
  const mine = months.filter((entry) => (project === undefined || entry.project === project) && entry.currency === currency)
  if (mine.length === 0) return undefined
  const month = mine.reduce((latest, entry) => (entry.month > latest ? entry.month : latest), '')
  const nanos = mine.filter((entry) => entry.month === month).reduce((sum, entry) => sum + entry.nanos, 0n)
  return { month, nanos }
}

/** The period to ask providers for: --from/--to (both days included), else the month to date. */
export function spendPeriod(from: number | undefined, to: number | undefined, monthToDate: Period): Period {
  if (from === undefined && to === undefined) return monthToDate
  const end = to === undefined ? monthToDate.end : new Date(Date.parse(`${dayText(to)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  return { start: from === undefined ? monthToDate.start : dayText(from), end, granularity: 'daily' }
}
