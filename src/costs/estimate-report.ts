/**
 * Renders an estimate: amounts rounded half-even to cents per scenario, line
 * items adjusted so they add up to the totals exactly, unknown prices shown as
 * "unknown" and incomplete totals as "at least".
 */
import { renderCsv } from '../output/csv.js'
import { renderMarkdownTable } from '../output/markdown-table.js'
import { renderTable } from '../output/table.js'
import { budgetCents, checkBudget, type BudgetCheck } from './budget.js'
import { SCENARIOS, type Estimate, type EstimateLine, type PerScenario, type Scenario } from './estimate.js'
import { allocateCents, centsNumber, centsText, formatMoney } from './money.js'

export interface EstimateRow extends Omit<EstimateLine, 'monthly'> {
  /** cents per scenario; undefined when unknown (a line with no units in a scenario costs 0 there) */
  cents: PerScenario<bigint | undefined>
}

export interface EstimateView {
  rows: EstimateRow[]
  totals: PerScenario<bigint>
  /** true when min, expected and max agree on every line (no autoscaling in play) */
  fixed: boolean
}

export function estimateView(estimate: Estimate): EstimateView {
  const rows: EstimateRow[] = estimate.lines.map(({ monthly: _monthly, ...line }) => ({ ...line, cents: { min: undefined, expected: undefined, max: undefined } }))
  const totals = { min: 0n, expected: 0n, max: 0n }
  for (const scenario of SCENARIOS) {
    const known = estimate.lines.flatMap((line, index) =>
      line.monthly ? [{ index, nanos: line.monthly[scenario] }] : line.quantity[scenario] === 0 ? [{ index, nanos: 0n }] : [])
    const allocated = allocateCents(known.map(({ nanos }) => nanos))
    known.forEach(({ index }, position) => {
      rows[index].cents[scenario] = allocated[position]
      totals[scenario] += allocated[position]
    })
  }
  const fixed = estimate.lines.every((line) => line.quantity.min === line.quantity.max)
  return { rows, totals, fixed }
}

/** The --json shape: amounts as numbers of currency units with two decimals. */
export function estimateJson(estimate: Estimate) {
  const view = estimateView(estimate)
  const money = (cents: PerScenario<bigint | undefined>) => ({
    min: cents.min === undefined ? null : centsNumber(cents.min),
    expected: cents.expected === undefined ? null : centsNumber(cents.expected),
    max: cents.max === undefined ? null : centsNumber(cents.max),
  })
  return {
    project: estimate.project,
    currency: estimate.currency,
    hoursPerMonth: estimate.hoursPerMonth,
    rounding: 'half-even to the cent; line items adjusted by largest remainder to add up to the totals',
    catalog: estimate.catalog,
    lines: view.rows.map((row) => ({
      service: row.service, target: row.target, provider: row.provider, item: row.item, sku: row.sku,
      quantity: row.quantity, unitPrice: row.unitPrice === undefined ? null : Number(row.unitPrice), unit: row.unit, monthly: money(row.cents),
    })),
    total: money(view.totals),
    /** per scenario: true when the total leaves out lines priced as unknown */
    atLeast: { min: !estimate.completeIn.min, expected: !estimate.completeIn.expected, max: !estimate.completeIn.max },
    warnings: estimate.warnings,
  }
}

const range = (values: PerScenario<number>) =>
  values.min === values.max ? String(values.expected) : `${values.min}–${values.expected}–${values.max}`

const cell = (cents: bigint | undefined) => (cents === undefined ? 'unknown' : centsText(cents))
const totalCell = (estimate: Estimate, view: EstimateView, scenario: Scenario) =>
  `${estimate.completeIn[scenario] ? '' : 'at least '}${centsText(view.totals[scenario])}`

function amountColumns(view: EstimateView): { headers: string[]; show: readonly Scenario[] } {
  return view.fixed ? { headers: ['MONTHLY'], show: ['expected'] } : { headers: ['MIN', 'EXPECTED', 'MAX'], show: SCENARIOS }
}

function tableRows(estimate: Estimate, view: EstimateView) {
  const columns = amountColumns(view)
  const headers = ['SERVICE', 'TARGET', 'ITEM', 'SKU', 'QTY', 'UNIT PRICE', ...columns.headers]
  const rows = view.rows.map((row) => [row.service, row.target, row.item, row.sku, range(row.quantity), unitText(row), ...columns.show.map((s) => cell(row.cents[s]))])
  const total = ['TOTAL', '', '', '', '', '', ...columns.show.map((s) => totalCell(estimate, view, s))]
  const right = [4, 5, ...columns.headers.map((_, i) => 6 + i)]
  return { headers, rows, total, right }
}

export function estimateFooter(estimate: Estimate): string[] {
  return [
    `Amounts in ${estimate.currency} per month (${estimate.hoursPerMonth} hours), rounded half-even to the cent.`,
    `Prices: ${estimate.catalog.source} (${estimate.catalog.date}).`,
    ...(estimate.lines.some((line) => line.quantity.min !== line.quantity.max)
      ? ['Autoscaled services: min and max from autoscale; expected is replicas when set, else the midpoint rounded up.']
      : []),
  ]
}

export function renderEstimateTable(estimate: Estimate, bold: (text: string) => string = (text) => text): string {
  const view = estimateView(estimate)
  const { headers, rows, total, right } = tableRows(estimate, view)
  const table = renderTable(headers, [...rows, total.map(bold)], { alignRight: right, header: bold })
  return [table, '', ...estimateFooter(estimate)].join('\n')
}

export function renderEstimateCsv(estimate: Estimate): string {
  const view = estimateView(estimate)
  const headers = ['service', 'target', 'provider', 'item', 'sku', 'qty_min', 'qty_expected', 'qty_max', 'unit_price', 'price_unit', 'monthly_min', 'monthly_expected', 'monthly_max', 'currency']
  const rows = view.rows.map((row) => [row.service, row.target, row.provider, row.item, row.sku, row.quantity.min, row.quantity.expected, row.quantity.max, row.unitPrice ?? (row.item === 'idle-capacity' ? '' : 'unknown'), row.unit, ...SCENARIOS.map((s) => cell(row.cents[s])), estimate.currency])
  rows.push(['TOTAL', '', '', '', '', '', '', '', '', '', ...SCENARIOS.map((s) => totalCell(estimate, view, s)), estimate.currency])
  return renderCsv(headers, rows)
}

export function renderEstimateMarkdown(estimate: Estimate): string {
  const view = estimateView(estimate)
  const { headers, rows, total, right } = tableRows(estimate, view)
  const title = `### strato cost: ${estimate.project}`
  const summary = `Expected monthly cost: **${estimate.completeIn.expected ? '' : 'at least '}${formatMoney(view.totals.expected, estimate.currency)}**`
  const warnings = estimate.warnings.map((warning) => `> ⚠️ ${warning}`)
  const table = renderMarkdownTable(headers.map(toTitle), [...rows, total.map((cell) => (cell ? `**${cell}**` : ''))], right)
  return [title, '', summary, '', table, '', ...(warnings.length ? [...warnings, ''] : []), ...estimateFooter(estimate).map((line) => `_${line}_`)].join('\n') + '\n'
}

function unitText(row: EstimateRow): string {
  if (row.item === 'idle-capacity') return ''
  return row.unitPrice === undefined ? 'unknown' : `${row.unitPrice}/${row.unit === 'hour' ? 'h' : 'mo'}`
}

const toTitle = (header: string) => header.charAt(0) + header.slice(1).toLowerCase()

/** Compares an estimate's total for one scenario with the budget. */
export function checkEstimateBudget(estimate: Estimate, monthly: number, scenario: Scenario): BudgetCheck {
  const label = scenario === 'expected' ? 'estimated monthly cost' : `estimated monthly cost at ${scenario} replicas`
  return checkBudget('estimate', estimateView(estimate).totals[scenario], budgetCents(monthly), estimate.currency, !estimate.completeIn[scenario], label)
}
