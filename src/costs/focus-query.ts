/**
 * What `strato cost actual` is asked for: which cost metrics to sum, which
 * dimensions to group by (FOCUS columns, tags, strato's project and service,
 * days or months), which rows to keep (a period and simple column filters).
 * Parsed from the flags here, so the command stays thin and this is tested pure.
 */
import { usageError } from '../errors.js'
import { closest } from '../suggest.js'
import { chargeDayFromText } from './focus-values.js'

/** FOCUS columns, 1.0 to 1.2: any of them may be grouped or filtered on, present in a file or not. */
export const FOCUS_COLUMNS = [
  'AvailabilityZone', 'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingAccountType', 'BillingCurrency',
  'BillingPeriodEnd', 'BillingPeriodStart', 'CapacityReservationId', 'CapacityReservationStatus', 'ChargeCategory',
  'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart',
  'CommitmentDiscountCategory', 'CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountQuantity',
  'CommitmentDiscountStatus', 'CommitmentDiscountType', 'CommitmentDiscountUnit', 'ConsumedQuantity', 'ConsumedUnit',
  'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'HostProviderName', 'InvoiceId', 'InvoiceIssuerName',
  'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingCurrency', 'PricingQuantity', 'PricingUnit', 'ProviderName',
  'PublisherName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory',
  'ServiceName', 'ServiceProviderName', 'ServiceSubcategory', 'SkuId', 'SkuMeter', 'SkuPriceDetails', 'SkuPriceId',
  'SubAccountId', 'SubAccountName', 'SubAccountType', 'Tags',
] as const

export const METRICS = { billed: 'BilledCost', effective: 'EffectiveCost', list: 'ListCost', contracted: 'ContractedCost' } as const
export type MetricName = keyof typeof METRICS
export type CostColumn = (typeof METRICS)[MetricName]
export const COST_COLUMNS: readonly CostColumn[] = Object.values(METRICS)

/** Shown when no --metric is given: what was invoiced, and the amortised figure FinOps splits spend by. */
export const DEFAULT_METRICS: CostColumn[] = ['BilledCost', 'EffectiveCost']

export type Dimension =
  | { kind: 'project' | 'service' | 'provider' | 'day' | 'month'; label: string }
  | { kind: 'tag'; key: string; label: string }
  | { kind: 'column'; column: string; label: string }

const SHORTHANDS = {
  project: 'the strato.project tag',
  service: 'the strato.service tag',
  provider: 'ProviderName',
  day: 'the UTC day of ChargePeriodStart',
  month: 'the UTC month of ChargePeriodStart',
} as const

export const DEFAULT_GROUPING = ['project', 'service', 'provider']

export interface Filter {
  dimension: Dimension
  equal: boolean
  /** null matches an empty or NULL cell */
  value: string | null
}

export interface FocusQuery {
  metrics: CostColumn[]
  /** whether the metrics were asked for: a file without an asked-for column is an error, not nulls */
  metricsExplicit: boolean
  by: Dimension[]
  where: Filter[]
  /** inclusive UTC days as YYYYMMDD */
  from?: number
  to?: number
  skipBadRows: boolean
}

/** Flag values split on commas as well as repeated flags: "--by a,b" and "--by a --by b" mean the same. */
function listValues(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '')
}

export function parseDimension(text: string, flag: string): Dimension {
  const lower = text.toLowerCase()
  if (lower in SHORTHANDS) return { kind: lower as keyof typeof SHORTHANDS, label: lower }
  if (lower.startsWith('tag:')) {
    const key = text.slice(4).trim()
    if (!key) throw usageError(`--${flag} ${text} names no tag key.`, `Write the key after "tag:", e.g. --${flag} tag:team.`)
    return { kind: 'tag', key, label: `tag:${key}` }
  }
  const column = FOCUS_COLUMNS.find((name) => name.toLowerCase() === lower)
  if (column) return { kind: 'column', column, label: column }
  // Provider-specific columns (x_ServiceCode, x_ResourceGroupName...) are checked against each file's header.
  if (/^x_\w+$/i.test(text)) return { kind: 'column', column: text, label: text }
  const suggestion = closest(text, [...Object.keys(SHORTHANDS), ...FOCUS_COLUMNS])
  throw usageError(
    `--${flag} ${text} is not a FOCUS column, a tag or one of ${Object.keys(SHORTHANDS).join(', ')}.${suggestion ? ` Did you mean ${suggestion}?` : ''}`,
    `Use a FOCUS column (ServiceName, RegionId, SubAccountId, ChargeCategory...), tag:<key>, an x_ column of the export, or ${Object.entries(SHORTHANDS).map(([name, what]) => `${name} (${what})`).join(', ')}.`,
  )
}

export function parseMetrics(values: string[] | undefined): CostColumn[] {
  const names = listValues(values)
  const metrics: CostColumn[] = []
  for (const name of names) {
    const metric = METRICS[name.toLowerCase() as MetricName] ?? COST_COLUMNS.find((column) => column.toLowerCase() === name.toLowerCase())
    if (!metric) {
      const suggestion = closest(name, Object.keys(METRICS))
      throw usageError(`--metric ${name} is not a cost metric.${suggestion ? ` Did you mean ${suggestion}?` : ''}`, `Use ${Object.entries(METRICS).map(([short, column]) => `${short} (${column})`).join(', ')}.`)
    }
    if (!metrics.includes(metric)) metrics.push(metric)
  }
  return metrics
}

/** "YYYY-MM-DD" as the number YYYYMMDD, strictly (a real calendar day). */
export function parseDayFlag(text: string, flag: string): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? chargeDayFromText(text.trim()) : -1
  if (day < 0) throw usageError(`--${flag} ${text} is not a date.`, `Give a calendar day as YYYY-MM-DD, e.g. --${flag} 2026-11-01.`)
  return day
}

export function parseFilter(text: string): Filter {
  const match = /^([^!=]+?)\s*(!=|=)\s*(.*)$/.exec(text)
  if (!match) throw usageError(`--where ${text} is not a filter.`, 'Write COLUMN=VALUE or COLUMN!=VALUE, e.g. --where ServiceName=Compute or --where tag:env=prod; an empty value matches empty or NULL cells.')
  const value = match[3].trim()
  return { dimension: parseDimension(match[1].trim(), 'where'), equal: match[2] === '=', value: value === '' || value === 'NULL' ? null : value }
}

export interface QueryFlags {
  metric?: string[]
  by?: string[]
  where?: string[]
  from?: string
  to?: string
  skipBadRows?: boolean
}

export function parseQuery(flags: QueryFlags): FocusQuery {
  const metrics = parseMetrics(flags.metric)
  const byNames = listValues(flags.by)
  const by = (byNames.length ? byNames : DEFAULT_GROUPING).map((name) => parseDimension(name, 'by'))
  const labels = by.map((dimension) => dimension.label)
  const repeated = labels.find((label, index) => labels.indexOf(label) !== index)
  if (repeated) throw usageError(`--by ${repeated} is given twice.`, 'Name each grouping once.')
  const from = flags.from === undefined ? undefined : parseDayFlag(flags.from, 'from')
  const to = flags.to === undefined ? undefined : parseDayFlag(flags.to, 'to')
  if (from !== undefined && to !== undefined && from > to) throw usageError(`--from ${flags.from} is after --to ${flags.to}.`, 'Give --from on or before --to (both days are included).')
  return {
    metrics: metrics.length ? metrics : [...DEFAULT_METRICS],
    metricsExplicit: metrics.length > 0,
    by,
    where: (flags.where ?? []).map(parseFilter),
    from,
    to,
    skipBadRows: flags.skipBadRows ?? false,
  }
}

/** YYYYMMDD as "YYYY-MM-DD". */
export function dayText(day: number): string {
  return `${Math.floor(day / 10000)}-${String(Math.floor(day / 100) % 100).padStart(2, '0')}-${String(day % 100).padStart(2, '0')}`
}
