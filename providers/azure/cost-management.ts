/**
 * Actual spend from the Cost Management query API: ActualCost over the
 * period, filtered on the strato.project tag and grouped by strato.service,
 * daily or monthly. Each answer holds up to 1,000 rows and a nextLink
 * ($skiptoken) that is POSTed again with the same body. Throttling (429 with
 * Retry-After, frequent on this API) is retried by the client's policy.
 */
import { LABEL, type CostLine, type Period } from '../../src/model.js'
import type { AzureClients } from './clients.js'

export const COST_API_VERSION = '2023-03-01'
/** pages followed at most: 50,000 rows, far more than a project's services × days */
const MAX_PAGES = 50

export interface QueryResult {
  columns: { name: string; type: string }[]
  rows: unknown[][]
  nextLink?: string | null
}

export function costQueryBody(project: string, period: Period) {
  return {
    type: 'ActualCost',
    timeframe: 'Custom',
    timePeriod: { from: `${period.start.slice(0, 10)}T00:00:00Z`, to: `${period.end.slice(0, 10)}T23:59:59Z` },
    dataset: {
      granularity: period.granularity === 'daily' ? 'Daily' : 'Monthly',
      aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
      grouping: [{ type: 'TagKey', name: LABEL.service }],
      filter: { tags: { name: LABEL.project, operator: 'In', values: [project] } },
    },
  }
}

/** The ISO date of a row's UsageDate (20261130) or BillingMonth ("2026-11-01T00:00:00"). */
function rowDate(value: unknown): string {
  if (typeof value === 'number') {
    const text = String(value)
    return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`
  }
  return String(value ?? '').slice(0, 10)
}

/**
 * Cost lines from query results; pure. Columns are found by name: the cost
 * (Cost, PreTaxCost or CostUSD), the date (UsageDate or BillingMonth), the
 * group (TagValue for a tag grouping, or the named dimension) and Currency.
 */
export function costLinesFrom(results: QueryResult[], target: string, groupColumn = 'TagValue'): CostLine[] {
  const lines: CostLine[] = []
  for (const result of results) {
    const index = (...names: string[]) => result.columns.findIndex((column) => names.some((name) => column.name.toLowerCase() === name.toLowerCase()))
    const cost = index('Cost', 'PreTaxCost', 'CostUSD', 'PreTaxCostUSD')
    const date = index('UsageDate', 'BillingMonth')
    const group = index(groupColumn)
    const currency = index('Currency', 'BillingCurrency')
    if (cost < 0 || date < 0) throw new Error(`Cost Management answered without a cost or date column: ${result.columns.map((column) => column.name).join(', ')}`)
    for (const row of result.rows) {
      const service = group >= 0 ? String(row[group] ?? '') : ''
      lines.push({
        provider: 'azure', target, service: service === '' ? undefined : service, date: rowDate(row[date]),
        amount: Number(row[cost] ?? 0), currency: currency >= 0 ? String(row[currency] ?? 'USD') : 'USD', source: 'azure cost management',
      })
    }
  }
  return lines
}

/** Runs the query at a scope (the subscription) and follows nextLink. */
export async function queryCosts(clients: AzureClients, scope: string, body: unknown): Promise<QueryResult[]> {
  const client = await clients.rest()
  const results: QueryResult[] = []
  let answer = await client.path(`${scope}/providers/Microsoft.CostManagement/query`).post({ queryParameters: { 'api-version': COST_API_VERSION }, body, contentType: 'application/json' })
  for (let pages = 1; ; pages++) {
    const result = (answer.body as { properties?: QueryResult }).properties
    if (!result) throw new Error(`Cost Management answered ${answer.status} without properties`)
    results.push(result)
    if (!result.nextLink || pages >= MAX_PAGES) break
    answer = await client.pathUnchecked(result.nextLink).post({ body, contentType: 'application/json' })
  }
  return results
}

export async function actualCosts(clients: AzureClients, project: string, period: Period, target: string): Promise<CostLine[]> {
  return costLinesFrom(await queryCosts(clients, `/subscriptions/${clients.subscriptionId}`, costQueryBody(project, period)), target)
}
