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
import { copyBytes, type FieldView } from './csv-stream.js'
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
  let roundUp = false
  if (at < length && c === 46) {
    for (at++; at < length && scale < 9; at++, scale++) {
      c = text.charCodeAt(at)
      if (c < 48 || c > 57) break
      fraction = fraction * 10 + (c - 48)
      digits++
    }
    if (scale === 9 && at < length) {
      // Digits past the ninth decimal: round half-even on them.
      const next = text.charCodeAt(at) - 48
      if (next < 0 || next > 9) return viaBigInt(text)
      let rest = false
      for (let tail = at + 1; tail < length; tail++) {
        const digit = text.charCodeAt(tail) - 48
        if (digit < 0 || digit > 9) return viaBigInt(text)
        if (digit !== 0) rest = true
      }
      roundUp = next > 5 || (next === 5 && (rest || fraction % 2 === 1))
      at = length
    }
  }
  if (at < length || digits === 0 || units > 9_000_000) return viaBigInt(text)
  if (roundUp) fraction++
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

/** A group's sum: exact bigint plus a Number part that stays well inside 2^53. */
interface Accumulator {
  group: FocusGroup
  lo: number
}

/** Tags read from one distinct Tags cell. */
interface TagEntry {
  project?: string
  service?: string
  error?: string
}

interface ByteKey<T> {
  bytes: Uint8Array
  value: T
  /** for names: their small number (see FocusAggregator.idOf) */
  id?: number
}

/** Accumulates rows; feed it the header, then records, then read the summary. */
export class FocusAggregator {
  private columns: Columns | undefined
  private width = 0
  private flavour: FocusFlavour = 'generic'
  private rows = 0
  private readonly groups = new Map<string, Accumulator>()
  private readonly lookup = new Map<TagEntry, Map<number | string, Accumulator>>()
  private readonly ids = new Map<string, number>()
  private readonly tagsByText = new Map<string, TagEntry>()
  private readonly tagsByHash = new Map<number, ByteKey<TagEntry>[]>()
  private readonly noTags: TagEntry = {}
  private lastCurrency: ByteKey<string> = { bytes: new Uint8Array(0), value: '' }
  private lastProvider: ByteKey<string> = { bytes: new Uint8Array(0), value: '' }
  private readonly noProvider: ByteKey<string> = { bytes: new Uint8Array(0), value: '' }
  private readonly malformed: MalformedLine[] = []
  private malformedCount = 0

  constructor(private readonly costColumn: CostColumn = 'BilledCost') {}

  header(names: string[]): void {
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
  }

  get hasHeader(): boolean {
    return this.columns !== undefined
  }

  reject(line: number, reason: string): void {
    this.malformedCount++
    if (this.malformed.length < MALFORMED_KEPT) this.malformed.push({ line, reason })
  }

  /** One CSV record, read from its bytes without decoding more than needed. */
  row(view: FieldView, line: number): void {
    const columns = this.columns!
    if (view.count !== this.width) {
      this.reject(line, `has ${view.count} fields, the header has ${this.width}`)
      return
    }
    const bytes = view.bytes
    let nanos = costNanosBytes(bytes, view.start[columns.cost], view.end[columns.cost])
    if (Number.isNaN(nanos)) {
      const text = view.text(columns.cost)
      nanos = costNanos(text)
      if (Number.isNaN(nanos)) {
        this.reject(line, `${this.costColumn} "${text}" is not a number`)
        return
      }
    }
    const day = dayBytes(bytes, view.start[columns.date], view.end[columns.date])
    if (day < 0) {
      this.reject(line, `ChargePeriodStart "${view.text(columns.date)}" is not a date`)
      return
    }
    const currency = (this.lastCurrency = this.sameName(this.lastCurrency, view, columns.currency))
    if (currency.value === '') {
      this.reject(line, 'BillingCurrency is empty')
      return
    }
    const provider = columns.provider >= 0 ? (this.lastProvider = this.sameName(this.lastProvider, view, columns.provider)) : this.noProvider
    const tags = columns.tags >= 0 ? this.tagsFromBytes(view, columns.tags) : this.noTags
    if (tags.error) {
      this.reject(line, tags.error)
      return
    }
    this.add(nanos, day, currency.value, provider.value, tags, currency.id, provider.id)
  }

  /** The previous name when the field holds the same bytes (currency and provider rarely change), else the field decoded. */
  private sameName(last: ByteKey<string>, view: FieldView, column: number): ByteKey<string> {
    const start = view.start[column]
    const end = view.end[column]
    if (!view.doubled[column] && equalBytes(last.bytes, view.bytes, start, end)) return last
    const value = view.text(column)
    return { bytes: copyBytes(view.bytes, start, end), value, id: this.idOf(value) }
  }

  /** One row given as text (Parquet); fields in header order. */
  rowTexts(fields: string[], line: number): void {
    const columns = this.columns!
    const nanos = costNanos(fields[columns.cost])
    if (Number.isNaN(nanos)) {
      this.reject(line, `${this.costColumn} "${fields[columns.cost]}" is not a number`)
      return
    }
    const start = fields[columns.date]
    const day = DATE.test(start) ? Number(start.slice(0, 4)) * 10000 + Number(start.slice(5, 7)) * 100 + Number(start.slice(8, 10)) : -1
    if (day < 0) {
      this.reject(line, `ChargePeriodStart "${start}" is not a date`)
      return
    }
    const currency = fields[columns.currency]
    if (!currency) {
      this.reject(line, 'BillingCurrency is empty')
      return
    }
    let tags = this.noTags
    if (columns.tags >= 0) {
      const cell = fields[columns.tags]
      tags = this.tagsByText.get(cell) ?? readTags(cell)
      if (this.tagsByText.size < 100_000) this.tagsByText.set(cell, tags)
    }
    if (tags.error) {
      this.reject(line, tags.error)
      return
    }
    this.add(nanos, day, currency, columns.provider >= 0 ? fields[columns.provider] : '', tags)
  }

  /**
   * Exports repeat a handful of tag sets: each distinct cell is parsed once,
   * then found again by a hash of its bytes and a byte comparison.
   */
  private tagsFromBytes(view: FieldView, column: number): TagEntry {
    const bytes = view.bytes
    const start = view.start[column]
    const end = view.end[column]
    let hash = 0x811c9dc5 ^ view.doubled[column]
    for (let at = start; at < end; at++) hash = Math.imul(hash ^ bytes[at], 0x01000193)
    const bucket = this.tagsByHash.get(hash)
    if (bucket) {
      for (const candidate of bucket) if (equalBytes(candidate.bytes, bytes, start, end)) return candidate.value
    }
    const value = readTags(view.text(column))
    const entry = { bytes: copyBytes(bytes, start, end), value }
    if (bucket) bucket.push(entry)
    else this.tagsByHash.set(hash, [entry])
    return value
  }

  /** A small number for a currency or provider name, so a group's key within a tag set is one number. */
  private idOf(value: string): number {
    let id = this.ids.get(value)
    if (id === undefined) this.ids.set(value, (id = this.ids.size))
    return id
  }

  private add(nanos: number, day: number, currency: string, provider: string, tags: TagEntry, currencyId = this.idOf(currency), providerId = this.idOf(provider)): void {
    let byKey = this.lookup.get(tags)
    if (!byKey) this.lookup.set(tags, (byKey = new Map()))
    // YYYYMMDD × 4096 × 4096 stays below 2^53; past 4096 names the key falls back to text.
    const key: number | string = currencyId < 4096 && providerId < 4096 ? (day * 4096 + currencyId) * 4096 + providerId : `${day}:${currencyId}:${providerId}`
    let entry = byKey.get(key)
    if (!entry) {
      const date = `${Math.floor(day / 10000)}-${String(Math.floor(day / 100) % 100).padStart(2, '0')}-${String(day % 100).padStart(2, '0')}`
      const name = `${provider}\u0000${tags.project ?? ''}\u0000${tags.service ?? ''}\u0000${date}\u0000${currency}`
      entry = this.groups.get(name)
      if (!entry) this.groups.set(name, (entry = { group: { provider, project: tags.project, service: tags.service, date, currency, nanos: 0n, rows: 0 }, lo: 0 }))
      byKey.set(key, entry)
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

function readTags(cell: string): TagEntry {
  try {
    return stratoTags(cell)
  } catch (error) {
    return { error: `Tags is not valid JSON (${(error as Error).message})` }
  }
}

function equalBytes(known: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false
  for (let at = 0; at < known.length; at++) if (known[at] !== bytes[start + at]) return false
  return true
}

const DAY_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9]

/** YYYY-MM-DD at the start of the field as the number YYYYMMDD, or -1. */
function dayBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 10 || bytes[start + 4] !== 45 || bytes[start + 7] !== 45) return -1
  let value = 0
  for (const at of DAY_DIGITS) {
    const digit = bytes[start + at] - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

/** costNanos on bytes for the plain decimal form; NaN sends the caller to the text path (exponents, bad input). */
function costNanosBytes(bytes: Uint8Array, start: number, end: number): number {
  let at = start
  let negative = false
  if (bytes[at] === 45) { negative = true; at++ }
  let units = 0
  let digits = 0
  for (; at < end; at++) {
    const digit = bytes[at] - 48
    if (digit < 0 || digit > 9) break
    units = units * 10 + digit
    digits++
  }
  let fraction = 0
  let scale = 0
  let roundUp = false
  if (at < end && bytes[at] === 46) {
    for (at++; at < end && scale < 9; at++, scale++) {
      const digit = bytes[at] - 48
      if (digit < 0 || digit > 9) break
      fraction = fraction * 10 + digit
      digits++
    }
    if (scale === 9 && at < end) {
      // Digits past the ninth decimal: round half-even on them.
      const next = bytes[at] - 48
      let rest = false
      for (let tail = at + 1; tail < end; tail++) {
        const digit = bytes[tail] - 48
        if (digit < 0 || digit > 9) return Number.NaN
        if (digit !== 0) rest = true
      }
      if (next < 0 || next > 9) return Number.NaN
      roundUp = next > 5 || (next === 5 && (rest || fraction % 2 === 1))
      at = end
    }
  }
  if (at < end || digits === 0 || units > 9_000_000) return Number.NaN
  if (roundUp) fraction++
  for (; scale < 9; scale++) fraction *= 10
  const nanos = units * 1_000_000_000 + fraction
  return negative ? -nanos : nanos
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export class FocusFormatError extends Error {
  constructor(message: string, readonly header: string[]) {
    super(message)
  }
}
