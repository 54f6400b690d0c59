/**
 * FOCUS cost exports (the FinOps Open Cost and Usage Specification, which AWS,
 * Azure and Google Cloud can all export): spend summed by provider, strato
 * project and service tags, and day, with untagged spend kept apart. Every
 * line that cannot be read is counted and reported with its line number.
 *
 * The three clouds' flavours differ in their extra columns (AWS x_ServiceCode,
 * Azure x_ResourceGroupName and friends, Google's BigQuery export) and in how
 * Tags is written: a JSON object ({"strato.project": "shop"}), or a JSON list
 * of {key, value} pairs; Google labels cannot contain dots, so keys such as
 * strato-project or strato_project count too, as do AWS's "user:" prefixes.
 */
import { LABEL } from '../model.js'
import { toNanos } from './money.js'

export type FocusFlavour = 'aws' | 'azure' | 'gcp' | 'generic'

export const COST_COLUMNS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const
export type CostColumn = (typeof COST_COLUMNS)[number]

export interface FocusGroup {
  provider: string
  /** strato.project tag; undefined for untagged spend */
  project?: string
  service?: string
  /** YYYY-MM-DD of ChargePeriodStart */
  date: string
  currency: string
  nanos: bigint
  rows: number
}

export interface MalformedLine {
  line: number
  reason: string
}

export interface FocusSummary {
  flavour: FocusFlavour
  costColumn: CostColumn
  rows: number
  groups: FocusGroup[]
  malformed: { count: number; lines: MalformedLine[] }
}

/** How many malformed lines are kept with their reason; all are counted. */
export const MALFORMED_KEPT = 100

interface Columns {
  cost: number
  date: number
  currency: number
  provider: number
  tags: number
}

const REQUIRED = ['ChargePeriodStart', 'BillingCurrency'] as const

export function detectFlavour(header: string[]): FocusFlavour {
  const has = (name: string) => header.includes(name)
  if (has('x_ServiceCode') || has('x_UsageType') || has('x_Operation')) return 'aws'
  if (has('x_ResourceGroupName') || has('x_BilledCostInUsd') || has('x_SkuMeterCategory')) return 'azure'
  if (header.some((name) => name.startsWith('x_') && /Credit|Project|Labels/i.test(name))) return 'gcp'
  return 'generic'
}

/** Normalises a tag key: AWS's "user:" prefix dropped, "-" and "_" read as "." (Google labels allow no dots). */
function tagKey(key: string): string {
  return key.replace(/^user:/, '').toLowerCase().replace(/[-_]/g, '.')
}

const PROJECT_KEY = tagKey(LABEL.project)
const SERVICE_KEY = tagKey(LABEL.service)

/** Reads strato's project and service from a Tags cell; throws on text that is not JSON. */
export function stratoTags(cell: string): { project?: string; service?: string } {
  if (cell === '' || cell === '{}' || cell === '[]') return {}
  const parsed = JSON.parse(cell) as unknown
  const result: { project?: string; service?: string } = {}
  const take = (key: unknown, value: unknown) => {
    if (typeof key !== 'string' || typeof value !== 'string') return
    const normal = tagKey(key)
    if (normal === PROJECT_KEY) result.project = value
    else if (normal === SERVICE_KEY) result.service = value
  }
  if (Array.isArray(parsed)) {
    for (const pair of parsed) if (pair && typeof pair === 'object') take((pair as { key?: unknown }).key, (pair as { value?: unknown }).value)
  } else if (parsed && typeof parsed === 'object') {
    for (const [key, value] of Object.entries(parsed)) take(key, value)
  } else {
    throw new SyntaxError('Tags is not a JSON object or list')
  }
  return result
}

/**
 * A decimal string in nanos as a Number (exact below 2^53 nanos, about 9
 * million currency units per line), rounded half-even at the ninth decimal;
 * NaN when it is not a number. The common plain form is parsed by hand, which
 * is several times faster than going through BigInt.
 */
export function costNanos(text: string): number {
  const length = text.length
  if (length === 0) return Number.NaN
  let at = 0
  let negative = false
  const first = text.charCodeAt(0)
  if (first === 45 || first === 43) { negative = first === 45; at = 1 }
  let units = 0
  let digits = 0
  let c = 0
  for (; at < length; at++) {
    c = text.charCodeAt(at)
    if (c < 48 || c > 57) break
    units = units * 10 + (c - 48)
    digits++
  }
  let fraction = 0
  let scale = 0
  if (at < length && c === 46) {
    for (at++; at < length && scale < 9; at++, scale++) {
      c = text.charCodeAt(at)
      if (c < 48 || c > 57) break
      fraction = fraction * 10 + (c - 48)
      digits++
    }
    if (scale === 9 && at < length) return viaBigInt(text) // more than nine decimals: round exactly
  }
  if (at < length || digits === 0 || units > 9_000_000) return viaBigInt(text)
  for (; scale < 9; scale++) fraction *= 10
  const nanos = units * 1_000_000_000 + fraction
  return negative ? -nanos : nanos
}

function viaBigInt(text: string): number {
  try {
    return Number(toNanos(text))
  } catch {
    return Number.NaN
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}/

/** Accumulates rows; feed it the header, then records, then read the summary. */
export class FocusAggregator {
  private columns: Columns | undefined
  private width = 0
  private flavour: FocusFlavour = 'generic'
  private rows = 0
  private readonly groups = new Map<string, { group: FocusGroup; lo: number }>()
  private readonly tagCache = new Map<string, { project?: string; service?: string } | Error>()
  private readonly malformed: MalformedLine[] = []
  private malformedCount = 0

  constructor(private readonly costColumn: CostColumn = 'BilledCost') {}

  /** The header; returns the columns the rows need, so a parser can skip copying the others. */
  header(names: string[]): boolean[] {
    const index = (name: string) => names.indexOf(name)
    const missing = [this.costColumn, ...REQUIRED].filter((name) => index(name) < 0)
    if (missing.length > 0) throw new FocusFormatError(`the header has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}`, names)
    this.columns = {
      cost: index(this.costColumn),
      date: index('ChargePeriodStart'),
      currency: index('BillingCurrency'),
      provider: index('ProviderName') >= 0 ? index('ProviderName') : index('ServiceProviderName'),
      tags: index('Tags'),
    }
    this.width = names.length
    this.flavour = detectFlavour(names)
    const keep = names.map(() => false)
    for (const column of Object.values(this.columns)) if (column >= 0) keep[column] = true
    return keep
  }

  get hasHeader(): boolean {
    return this.columns !== undefined
  }

  reject(line: number, reason: string): void {
    this.malformedCount++
    if (this.malformed.length < MALFORMED_KEPT) this.malformed.push({ line, reason })
  }

  /** One data row; fields not kept may be undefined. */
  row(fields: (string | undefined)[], line: number): void {
    const columns = this.columns!
    if (fields.length !== this.width) {
      this.reject(line, `has ${fields.length} fields, the header has ${this.width}`)
      return
    }
    const costText = fields[columns.cost]!
    const nanos = costNanos(costText)
    if (Number.isNaN(nanos)) {
      this.reject(line, `${this.costColumn} "${costText}" is not a number`)
      return
    }
    const start = fields[columns.date]!
    if (!DATE.test(start)) {
      this.reject(line, `ChargePeriodStart "${start}" is not a date`)
      return
    }
    const currency = fields[columns.currency]!
    if (currency === '') {
      this.reject(line, 'BillingCurrency is empty')
      return
    }
    let tags: { project?: string; service?: string } = {}
    if (columns.tags >= 0) {
      const cell = fields[columns.tags]!
      let cached = this.tagCache.get(cell)
      if (cached === undefined) {
        try {
          cached = stratoTags(cell)
        } catch (error) {
          cached = error as Error
        }
        // Exports repeat a handful of tag sets; remembering them avoids a JSON parse per line.
        if (this.tagCache.size < 100_000) this.tagCache.set(cell, cached)
      }
      if (cached instanceof Error) {
        this.reject(line, `Tags is not valid JSON (${cached.message})`)
        return
      }
      tags = cached
    }
    const provider = columns.provider >= 0 ? fields[columns.provider]! : ''
    const date = start.slice(0, 10)
    const key = `${provider}\u0000${tags.project ?? ''}\u0000${tags.service ?? ''}\u0000${date}\u0000${currency}`
    let entry = this.groups.get(key)
    if (!entry) {
      entry = { group: { provider, project: tags.project, service: tags.service, date, currency, nanos: 0n, rows: 0 }, lo: 0 }
      this.groups.set(key, entry)
    }
    entry.lo += nanos
    entry.group.rows++
    // Keep the Number part exact: spill into the bigint well before 2^53.
    if (entry.lo > 1e15 || entry.lo < -1e15) {
      entry.group.nanos += BigInt(entry.lo)
      entry.lo = 0
    }
    this.rows++
  }

  summary(): FocusSummary {
    const groups = [...this.groups.values()].map(({ group, lo }) => ({ ...group, nanos: group.nanos + BigInt(lo) }))
    groups.sort((a, b) => compare(a.provider, b.provider) || compare(a.project ?? '\uffff', b.project ?? '\uffff') || compare(a.service ?? '', b.service ?? '') || compare(a.date, b.date) || compare(a.currency, b.currency))
    return { flavour: this.flavour, costColumn: this.costColumn, rows: this.rows, groups, malformed: { count: this.malformedCount, lines: this.malformed } }
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export class FocusFormatError extends Error {
  constructor(message: string, readonly header: string[]) {
    super(message)
  }
}
