/**
 * What a change does to the monthly bill: the estimates of two manifests (the
 * base, e.g. the main branch, and the change), per service and target.
 */
import { renderCsv } from '../output/csv.js'
import { renderMarkdownTable } from '../output/markdown-table.js'
import { renderTable } from '../output/table.js'
import { SCENARIOS, type Estimate, type PerScenario } from './estimate.js'
import { estimateView } from './estimate-report.js'
import { centsNumber, centsText, formatMoney } from './money.js'

export interface DiffRow {
  service: string
  target: string
  /** cents per scenario; undefined when the side has no such line */
  base?: PerScenario<bigint>
  head?: PerScenario<bigint>
  /** some line on either side has an unknown price */
  unknown: boolean
  change: 'added' | 'removed' | 'changed' | 'same'
}

export interface CostDiff {
  currency: string
  rows: DiffRow[]
  base: { total: PerScenario<bigint>; atLeast: boolean }
  head: { total: PerScenario<bigint>; atLeast: boolean }
  catalog: Estimate['catalog']
}

type Sums = Map<string, { service: string; target: string; cents: PerScenario<bigint>; unknown: boolean }>

function sumsByServiceAndTarget(estimate: Estimate): Sums {
  const sums: Sums = new Map()
  for (const row of estimateView(estimate).rows) {
    const key = `${row.service}\u0000${row.target}`
    const entry = sums.get(key) ?? { service: row.service, target: row.target, cents: { min: 0n, expected: 0n, max: 0n }, unknown: false }
    for (const scenario of SCENARIOS) entry.cents[scenario] += row.cents[scenario] ?? 0n
    if (SCENARIOS.some((scenario) => row.cents[scenario] === undefined)) entry.unknown = true
    sums.set(key, entry)
  }
  return sums
}

export function diffEstimates(base: Estimate, head: Estimate): CostDiff {
  const before = sumsByServiceAndTarget(base)
  const after = sumsByServiceAndTarget(head)
  const keys = [...new Set([...before.keys(), ...after.keys()])]
  const rows = keys.map((key): DiffRow => {
    const was = before.get(key)
    const now = after.get(key)
    const same = was && now && SCENARIOS.every((s) => was.cents[s] === now.cents[s]) && was.unknown === now.unknown
    return {
      service: (now ?? was)!.service,
      target: (now ?? was)!.target,
      base: was?.cents,
      head: now?.cents,
      unknown: Boolean(was?.unknown || now?.unknown),
      change: !was ? 'added' : !now ? 'removed' : same ? 'same' : 'changed',
    }
  })
  rows.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.target < b.target ? -1 : a.target > b.target ? 1 : 0))
  return {
    currency: head.currency,
    rows,
    base: { total: estimateView(base).totals, atLeast: !base.completeIn.expected },
    head: { total: estimateView(head).totals, atLeast: !head.completeIn.expected },
    catalog: head.catalog,
  }
}

const signed = (cents: bigint) => (cents > 0n ? `+${centsText(cents)}` : centsText(cents))
const amount = (cents: PerScenario<bigint> | undefined) => (cents ? centsText(cents.expected) : '—')
export const delta = (row: DiffRow) => (row.head?.expected ?? 0n) - (row.base?.expected ?? 0n)

export function percent(base: bigint, change: bigint): string {
  if (base === 0n) return change === 0n ? '0%' : 'new'
  const tenths = Number((change * 1000n) / base) / 10
  return `${tenths > 0 ? '+' : ''}${tenths.toFixed(1)}%`
}

function tableCells(diff: CostDiff) {
  const headers = ['SERVICE', 'TARGET', 'BASE', 'CHANGE', 'DELTA', '']
  const rows = diff.rows.filter((row) => row.change !== 'same').map((row) => [
    row.service, row.target, amount(row.base), amount(row.head), signed(delta(row)), `${row.change}${row.unknown ? ', some prices unknown' : ''}`,
  ])
  const total = diff.head.total.expected - diff.base.total.expected
  const lower = (atLeast: boolean) => (atLeast ? 'at least ' : '')
  rows.push(['TOTAL', '', lower(diff.base.atLeast) + centsText(diff.base.total.expected), lower(diff.head.atLeast) + centsText(diff.head.total.expected), signed(total), percent(diff.base.total.expected, total)])
  return { headers, rows, right: [2, 3, 4] }
}

export function diffSummary(diff: CostDiff): string {
  const change = diff.head.total.expected - diff.base.total.expected
  const verb = change > 0n ? 'adds' : change < 0n ? 'saves' : 'does not change'
  const magnitude = change < 0n ? -change : change
  const unknown = diff.base.atLeast || diff.head.atLeast ? ' (some prices are unknown)' : ''
  if (change === 0n) return `This change does not change the expected monthly cost of ${formatMoney(diff.head.total.expected, diff.currency)}${unknown}.`
  return `This change ${verb} ${formatMoney(magnitude, diff.currency)} per month (${percent(diff.base.total.expected, change)}): from ${formatMoney(diff.base.total.expected, diff.currency)} to ${formatMoney(diff.head.total.expected, diff.currency)}${unknown}.`
}

export function renderDiffTable(diff: CostDiff, bold: (text: string) => string = (text) => text): string {
  const { headers, rows, right } = tableCells(diff)
  const lines = rows.map((row) => (row[0] === 'TOTAL' ? row.map(bold) : row))
  return [renderTable(headers, lines, { alignRight: right, header: bold }), '', diffSummary(diff), footer(diff)].join('\n')
}

export function renderDiffMarkdown(diff: CostDiff): string {
  const { headers, rows, right } = tableCells(diff)
  const title = headers.map((h) => (h ? h.charAt(0) + h.slice(1).toLowerCase() : ''))
  return ['### strato cost diff', '', diffSummary(diff), '', renderMarkdownTable(title, rows, right), '', `_${footer(diff)}_`].join('\n') + '\n'
}

export function renderDiffCsv(diff: CostDiff): string {
  return renderCsv(['service', 'target', 'base_expected', 'head_expected', 'delta', 'change', 'unknown_prices', 'currency'],
    diff.rows.map((row) => [row.service, row.target, row.base ? centsText(row.base.expected) : '', row.head ? centsText(row.head.expected) : '', centsText(delta(row)), row.change, row.unknown, diff.currency]))
}

function footer(diff: CostDiff): string {
  return `Expected monthly amounts in ${diff.currency}, rounded half-even to the cent. Prices: ${diff.catalog.source} (${diff.catalog.date}).`
}

export function diffJson(diff: CostDiff) {
  const money = (cents: PerScenario<bigint> | undefined) => (cents ? { min: centsNumber(cents.min), expected: centsNumber(cents.expected), max: centsNumber(cents.max) } : null)
  return {
    currency: diff.currency,
    summary: diffSummary(diff),
    base: { total: money(diff.base.total), atLeast: diff.base.atLeast },
    head: { total: money(diff.head.total), atLeast: diff.head.atLeast },
    delta: money({ min: diff.head.total.min - diff.base.total.min, expected: diff.head.total.expected - diff.base.total.expected, max: diff.head.total.max - diff.base.total.max }),
    rows: diff.rows.map((row) => ({ service: row.service, target: row.target, change: row.change, unknownPrices: row.unknown, base: money(row.base), head: money(row.head), delta: centsNumber(delta(row)) })),
    catalog: diff.catalog,
  }
}
