/**
 * Microsoft.CostManagement/query over the cost records the control endpoint
 * seeds (or, with none seeded, a day's price for each VM of every scale set
 * that exists). Answers as Azure does: columns and rows, the cost under the
 * aggregation's name, UsageDate (yyyymmdd number) for Daily or BillingMonth
 * (datetime) for Monthly, TagKey/TagValue for a tag grouping, and a nextLink
 * with $skiptoken after costPageSize rows; a nextLink is POSTed again with
 * the same body.
 */
import { badRequest, isObject, ok, type FakeResponse } from './http.ts'
import type { Ctx } from './routing.ts'
import type { CostRecord } from './state.ts'

const DAY = 86_400_000
/** what the fake charges a running VM per day when no records are seeded */
const VM_DAY_PRICE = 1.0368

type Filter = { tags?: { name: string; operator: string; values: string[] }; dimensions?: { name: string; operator: string; values: string[] }; and?: Filter[]; or?: Filter[] }

function matches(record: CostRecord, filter: Filter | undefined): boolean {
  if (!filter) return true
  if (filter.and) return filter.and.every((part) => matches(record, part))
  if (filter.or) return filter.or.some((part) => matches(record, part))
  if (filter.tags) return filter.tags.values.includes(record.tags[filter.tags.name] ?? '')
  if (filter.dimensions?.name === 'ResourceGroup' || filter.dimensions?.name === 'ResourceGroupName') {
    return filter.dimensions.values.map((value) => value.toLowerCase()).includes((record.resourceGroup ?? '').toLowerCase())
  }
  return true
}

function validFilter(filter: unknown): boolean {
  if (filter === undefined) return true
  if (!isObject(filter)) return false
  const f = filter as Filter
  if (f.and || f.or) return (f.and ?? f.or)!.every(validFilter)
  const leaf = f.tags ?? f.dimensions
  return Boolean(leaf && typeof leaf.name === 'string' && leaf.operator === 'In' && Array.isArray(leaf.values))
}

/** With nothing seeded: a day's price per VM of every scale set now, for each day of the window up to today. */
function synthesise(ctx: Ctx, from: number, to: number): CostRecord[] {
  const records: CostRecord[] = []
  const today = Math.floor(Date.now() / DAY) * DAY
  for (const [key, set] of ctx.state.scaleSets) {
    const resource = ctx.state.resources.get(key)
    if (!resource || set.vms.length === 0) continue
    const group = resource.id.split('/')[4]
    for (let day = Math.floor(from / DAY) * DAY; day <= Math.min(to, today); day += DAY) {
      records.push({ date: new Date(day).toISOString().slice(0, 10), cost: VM_DAY_PRICE * set.vms.length, currency: 'USD', tags: resource.tags ?? {}, resourceGroup: group })
    }
  }
  return records
}

function window(timeframe: string, period: { from?: string; to?: string } | undefined): [number, number] | undefined {
  const now = new Date()
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
  switch (timeframe) {
    case 'Custom': {
      const from = Date.parse(period?.from ?? '')
      const to = Date.parse(period?.to ?? '')
      return Number.isNaN(from) || Number.isNaN(to) || from > to ? undefined : [from, to]
    }
    case 'MonthToDate': return [monthStart, now.getTime()]
    case 'TheLastMonth': return [Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1), monthStart - 1]
    case 'WeekToDate': return [now.getTime() - 7 * DAY, now.getTime()]
    default: return undefined
  }
}

export function costRoute(ctx: Ctx): FakeResponse | undefined {
  const { request, route, state } = ctx
  if (request.method !== 'POST' || route.rest.length !== 1 || route.rest[0].toLowerCase() !== 'query') return undefined
  const body = request.json
  if (!isObject(body)) return badRequest('The query body must be a JSON object.', 'BadRequest')
  const dataset = (body.dataset ?? {}) as { granularity?: string; aggregation?: Record<string, { name: string; function: string }>; grouping?: { type: string; name: string }[]; filter?: Filter }
  if (!['ActualCost', 'AmortizedCost', 'Usage'].includes(String(body.type))) return badRequest(`Invalid query type ${String(body.type)}.`, 'BadRequest')
  const span = window(String(body.timeframe), body.timePeriod as { from?: string; to?: string } | undefined)
  if (!span) return badRequest(`Invalid timeframe ${String(body.timeframe)} or timePeriod.`, 'BadRequest')
  if ((span[1] - span[0]) / DAY > 366) return badRequest('The time period of a query cannot exceed one year.', 'BadRequest')
  const granularity = dataset.granularity ?? 'None'
  if (!['Daily', 'Monthly', 'None'].includes(granularity)) return badRequest(`Invalid granularity ${granularity}.`, 'BadRequest')
  const aggregations = Object.values(dataset.aggregation ?? {})
  if (aggregations.length !== 1 || aggregations[0].function !== 'Sum') return badRequest('The fake supports exactly one Sum aggregation.', 'BadRequest')
  const grouping = dataset.grouping ?? []
  if (grouping.length > 2 || grouping.some((group) => !['TagKey', 'Dimension'].includes(group.type))) return badRequest('Grouping takes at most two TagKey or Dimension entries.', 'BadRequest')
  if (!validFilter(dataset.filter)) return badRequest('The filter must use tags or dimensions with the In operator.', 'BadRequest')

  const scopeGroup = route.resourceGroup?.toLowerCase()
  const source = state.costRecords.length ? state.costRecords : synthesise(ctx, span[0], span[1])
  const totals = new Map<string, { cost: number; key: (string | number)[]; currency: string }>()
  for (const record of source) {
    const at = Date.parse(`${record.date}T00:00:00Z`)
    if (at < Math.floor(span[0] / DAY) * DAY || at > span[1]) continue
    if (scopeGroup && record.resourceGroup?.toLowerCase() !== scopeGroup) continue
    if (!matches(record, dataset.filter)) continue
    const key: (string | number)[] = []
    if (granularity === 'Daily') key.push(Number(record.date.replaceAll('-', '')))
    if (granularity === 'Monthly') key.push(`${record.date.slice(0, 7)}-01T00:00:00`)
    for (const group of grouping) {
      if (group.type === 'TagKey') key.push(group.name, record.tags[group.name] ?? '')
      else key.push(group.name === 'ResourceGroup' || group.name === 'ResourceGroupName' ? (record.resourceGroup ?? '').toLowerCase() : '')
    }
    const id = JSON.stringify([...key, record.currency])
    const entry = totals.get(id) ?? { cost: 0, key, currency: record.currency }
    entry.cost += record.cost
    totals.set(id, entry)
  }
  const columns = [{ name: aggregations[0].name, type: 'Number' }]
  if (granularity === 'Daily') columns.push({ name: 'UsageDate', type: 'Number' })
  if (granularity === 'Monthly') columns.push({ name: 'BillingMonth', type: 'Datetime' })
  for (const group of grouping) {
    if (group.type === 'TagKey') columns.push({ name: 'TagKey', type: 'String' }, { name: 'TagValue', type: 'String' })
    else columns.push({ name: group.name, type: 'String' })
  }
  columns.push({ name: 'Currency', type: 'String' })
  const rows = [...totals.values()]
    .sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)))
    .map((entry) => [Math.round(entry.cost * 1e6) / 1e6, ...entry.key, entry.currency])

  const start = Number(Buffer.from(request.query.get('$skiptoken') ?? '', 'base64').toString('utf8') || '0')
  const size = state.options.costPageSize
  let nextLink: string | null = null
  if (start + size < rows.length) {
    const next = new URL(request.path, request.origin)
    next.searchParams.set('api-version', request.query.get('api-version') ?? '2023-03-01')
    next.searchParams.set('$skiptoken', Buffer.from(String(start + size)).toString('base64'))
    nextLink = next.toString()
  }
  const name = crypto.randomUUID()
  return ok({
    id: `${route.scope.replace(/^\//, '')}/providers/Microsoft.CostManagement/query/${name}`,
    name, type: 'Microsoft.CostManagement/query', location: null, sku: null, eTag: null,
    properties: { nextLink, columns, rows: rows.slice(start, start + size) },
  })
}
