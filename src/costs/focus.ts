/**
 * FOCUS cost exports (the FinOps Open Cost and Usage Specification, which AWS,
 * Azure, Google Cloud and others export): spend summed exactly, per metric,
 * grouped by whatever the query asks (FOCUS columns, tags, strato's project
 * and service, day or month). Every row counts: a row whose tags cannot be
 * read is untagged spend; a row whose cost, date or currency cannot be read
 * is a bad row, reported with its line and column.
 *
 * Rows arrive as CSV field views (bytes, decoded only where needed) or, from
 * Parquet, as rows already summed per distinct combination of the cells that
 * matter. Both go through the same checks, so both formats agree.
 */
import type { FieldView } from './csv-stream.js'
import { ColumnValues } from './focus-cells.js'
import { GroupSums } from './focus-groups.js'
import { dayText, type CostColumn, type Dimension, type Filter, type FocusQuery } from './focus-query.js'
import { parseTags, PROJECT_KEY, SERVICE_KEY, tagKey } from './focus-tags.js'
import { chargeDayFromBytes, chargeDayFromText, costFromBytes, costFromText, isNullBytes, isNullText } from './focus-values.js'

export type FocusFlavour = 'aws' | 'azure' | 'gcp' | 'oci' | 'generic'

export interface BadRow {
  /** the CSV line, or the Parquet row number (1-based) */
  line: number
  /** the column that cannot be read, when it is one column */
  column?: string
  /** its 1-based position in the header */
  position?: number
  reason: string
}

export interface FocusGroup {
  /** the query's dimension values, in its order; null where the rows have none */
  keys: (string | null)[]
  from: string
  to: string
  currency: string
  /** exact sum per metric, in nanos */
  nanos: bigint[]
  /** rows without a value, per metric */
  nulls: number[]
  rows: number
}

/** Spend with and without the strato.project tag, per currency, summed exactly whatever the grouping. */
export interface SpendSplit {
  currency: string
  tagged: bigint[]
  untagged: bigint[]
}

/** A project's spend in one month, in the first metric: what budgets are checked against. */
export interface MonthSpend {
  /** undefined: untagged spend */
  project?: string
  /** YYYY-MM */
  month: string
  currency: string
  nanos: bigint
}

export interface SkippedAmount {
  currency: string
  /** per metric, the readable amounts of skipped rows */
  nanos: bigint[]
  rows: number
}

export interface FocusSummary {
  flavour: FocusFlavour
  metrics: CostColumn[]
  /** data rows in the file */
  rows: number
  /** rows summed */
  counted: number
  /** rows left out by --from/--to or --where */
  filtered: number
  groups: FocusGroup[]
  split: SpendSplit[]
  months: MonthSpend[]
  bad: { count: number; rows: BadRow[]; skipped: SkippedAmount[]; uncounted: number }
  unreadableTags: { count: number; line: number; reason: string }
  /** asked-for columns that this file lacks: their cells count as null */
  missing: string[]
}

/** How many bad rows are kept with their reason; all are counted. */
export const BAD_ROWS_KEPT = 100

export function detectFlavour(header: string[]): FocusFlavour {
  const has = (name: string) => header.includes(name)
  if (has('x_ServiceCode') || has('x_UsageType') || has('x_Operation')) return 'aws'
  if (has('x_ResourceGroupName') || has('x_BilledCostInUsd') || has('x_SkuMeterCategory')) return 'azure'
  if (header.some((name) => name.startsWith('x_') && /Credit|Project|Labels/i.test(name))) return 'gcp'
  if (header.some((name) => /^(oci_|x_Oci)/i.test(name))) return 'oci'
  return 'generic'
}

export class FocusFormatError extends Error {
  constructor(message: string, readonly header: string[]) {
    super(message)
  }
}

/** What one distinct Tags cell says, for the query. */
interface TagInfo {
  /** number of the tag-based dimension values: part of the group key */
  reduced: number
  /** number of the strato.project value, 0 for untagged spend */
  project: number
  error?: string
  /** per filter on a tag, project or service: whether the cell passes */
  passes: boolean
}

const NO_COLUMN = -1

interface Plan {
  width: number
  cost: number[]
  date: number
  currency: number
  tags: number
  /** per dimension and filter: the column it reads, or NO_COLUMN */
  dimensionColumn: number[]
  filterColumn: number[]
}

/** Accumulates rows; feed it the header, then rows, then read the summary. */
export class FocusAggregator {
  private plan: Plan | undefined
  private flavour: FocusFlavour = 'generic'
  private readonly missing: string[] = []
  private readonly metricCount: number
  private rows = 0
  private counted = 0
  private filtered = 0
  private readonly bad: BadRow[] = []
  private badCount = 0
  private readonly skipped = new Map<string, SkippedAmount>()
  private uncounted = 0
  private readonly unreadableTags = { count: 0, line: 0, reason: '' }
  private readonly columns: ColumnValues[] = []
  private readonly tagsStore = new ColumnValues()
  private headerNames: string[] = []
  /** The row being added: a CSV view, or Parquet cells. */
  private view: FieldView | undefined
  private cells: (string | null)[] = []
  private readonly tagInfos: (TagInfo | undefined)[] = []
  private readonly reducedTags = new Map<string, number>()
  private readonly reducedValues: (string | null)[][] = []
  private readonly projects = new ColumnValues()
  /** per column filter: verdict per value id (0 unknown, 1 pass, 2 fail) */
  private readonly columnVerdicts: Uint8Array[] = []
  private readonly sums: GroupSums
  /** [tagged 0|1, currency] and [project, month, currency]: small tables beside the groups */
  private readonly split: GroupSums
  private readonly months: GroupSums
  private readonly splitParts = [0, 0]
  private readonly monthParts = [0, 0, 0]
  private readonly byMonth: boolean
  private readonly byDay: boolean
  private readonly tagDimensions: Dimension[]
  private readonly tagFilters: Filter[]
  private readonly dayFilters: Filter[]
  private readonly columnFilters: Filter[]
  private readonly parts: number[]
  private readonly costs: number[]
  private readonly bigCosts: (bigint | undefined)[]

  constructor(private readonly query: FocusQuery) {
    this.metricCount = query.metrics.length
    this.byDay = query.by.some((dimension) => dimension.kind === 'day')
    this.tagDimensions = query.by.filter(isTagBased)
    this.tagFilters = query.where.filter((filter) => isTagBased(filter.dimension))
    this.dayFilters = query.where.filter((filter) => filter.dimension.kind === 'day' || filter.dimension.kind === 'month')
    this.columnFilters = query.where.filter((filter) => isColumnBased(filter.dimension))
    const columnDimensions = query.by.filter(isColumnBased).length
    this.parts = new Array(3 + columnDimensions).fill(0)
    this.sums = new GroupSums(this.parts.length, this.metricCount)
    this.split = new GroupSums(2, this.metricCount)
    this.months = new GroupSums(3, 1)
    this.byMonth = query.by.some((dimension) => dimension.kind === 'month')
    this.costs = new Array(this.metricCount).fill(0)
    this.bigCosts = new Array(this.metricCount).fill(undefined)
  }

  get hasHeader(): boolean {
    return this.plan !== undefined
  }

  header(names: string[]): void {
    const index = (name: string) => {
      const exact = names.indexOf(name)
      return exact >= 0 ? exact : names.findIndex((candidate) => candidate.toLowerCase() === name.toLowerCase())
    }
    const absent = ['ChargePeriodStart', 'BillingCurrency'].filter((name) => index(name) < 0)
    const cost = this.query.metrics.map((metric) => index(metric))
    this.query.metrics.forEach((metric, position) => {
      if (cost[position] >= 0) return
      // FOCUS requires BilledCost; other default metrics may be missing from an export, and then are null.
      if (this.query.metricsExplicit || metric === 'BilledCost') absent.push(metric)
      else this.missing.push(metric)
    })
    if (absent.length > 0) throw new FocusFormatError(`the header has no ${absent.join(', ')} column${absent.length > 1 ? 's' : ''}`, names)
    const columnOf = (dimension: Dimension): number => {
      if (dimension.kind === 'provider') {
        const found = index('ProviderName') >= 0 ? index('ProviderName') : index('ServiceProviderName')
        if (found < 0 && !this.missing.includes('ProviderName')) this.missing.push('ProviderName')
        return found
      }
      if (dimension.kind !== 'column') return NO_COLUMN
      const found = index(dimension.column)
      if (found < 0 && !this.missing.includes(dimension.column)) this.missing.push(dimension.column)
      return found
    }
    const tags = index('Tags')
    if (tags < 0 && (this.tagDimensions.length > 0 || this.tagFilters.length > 0)) this.missing.push('Tags')
    this.plan = {
      width: names.length,
      cost,
      date: index('ChargePeriodStart'),
      currency: index('BillingCurrency'),
      tags,
      dimensionColumn: this.query.by.filter(isColumnBased).map(columnOf),
      filterColumn: this.columnFilters.map((filter) => columnOf(filter.dimension)),
    }
    for (let i = 0; i < this.plan.dimensionColumn.length + this.plan.filterColumn.length + 1; i++) this.columns.push(new ColumnValues())
    this.headerNames = names
    this.flavour = detectFlavour(names)
  }

  /** The value store of a column: 0 the currency, then dimensions, then filters. */
  private store(slot: number): ColumnValues {
    return this.columns[slot]
  }

  /** One CSV record, read from its bytes. */
  csvRow(view: FieldView, line: number): void {
    const plan = this.plan!
    this.rows++
    if (view.count !== plan.width) {
      this.badRows(1, line, `has ${view.count} fields, the header has ${plan.width}`, undefined, undefined, [])
      return
    }
    const bytes = view.bytes
    const costs = this.costs
    const bigCosts = this.bigCosts
    let costProblem = -1
    let problem = ''
    for (let metric = 0; metric < this.metricCount; metric++) {
      const column = plan.cost[metric]
      bigCosts[metric] = undefined
      if (column < 0) { costs[metric] = Number.NaN; continue }
      const start = view.start[column]
      const end = view.end[column]
      let nanos = costFromBytes(bytes, start, end)
      if (nanos !== nanos) {
        if (isNullBytes(bytes, start, end)) {
          // BilledCost is what the invoice adds up: FOCUS never leaves it empty, so a row without it is bad.
          if (this.query.metrics[metric] === 'BilledCost' && costProblem < 0) { costProblem = metric; problem = 'is empty' }
        } else {
          const reading = costFromText(view.text(column))
          if ('nanos' in reading) {
            bigCosts[metric] = reading.nanos
            nanos = 0
          } else if (costProblem < 0) {
            costProblem = metric
            problem = reading.problem
          }
        }
      }
      costs[metric] = nanos
    }
    const day = chargeDayFromBytes(bytes, view.start[plan.date], view.end[plan.date])
    const currency = this.store(0).fromBytes(view, plan.currency)
    if (costProblem >= 0 || day < 0 || currency === 0) {
      const [column, reason] = costProblem >= 0
        ? [plan.cost[costProblem], `${this.query.metrics[costProblem]} ${problem}`]
        : day < 0
          ? [plan.date, isNullBytes(bytes, view.start[plan.date], view.end[plan.date]) ? 'ChargePeriodStart is empty' : `ChargePeriodStart "${view.text(plan.date)}" is not a date-time`]
          : [plan.currency, 'BillingCurrency is empty']
      const readable = costs.map((nanos, metric) => bigCosts[metric] ?? (nanos === nanos ? BigInt(nanos) : null))
      this.badRows(1, line, reason, column, currency === 0 ? undefined : this.store(0).values[currency]!, readable)
      return
    }
    const tagsId = plan.tags >= 0 ? this.tagsStore.fromBytes(view, plan.tags) : 0
    const tags = this.tagInfo(tagsId, line)
    this.view = view
    this.add(day, currency, tags)
  }

  /** Rows already summed per distinct combination of cells (Parquet); cells in header order, costs per metric. */
  summedRows(cells: (string | null)[], sums: (bigint | null)[], nulls: number[], rows: number, line: number): void {
    const plan = this.plan!
    this.rows += rows
    const dateText = cells[plan.date]
    const day = dateText === null || isNullText(dateText) ? -1 : chargeDayFromText(dateText)
    const currency = this.store(0).fromText(cells[plan.currency])
    if (day < 0 || currency === 0) {
      const [column, reason] = day < 0
        ? [plan.date, dateText === null || isNullText(dateText) ? 'ChargePeriodStart is empty' : `ChargePeriodStart "${dateText}" is not a date-time`]
        : [plan.currency, 'BillingCurrency is empty']
      this.badRows(rows, line, reason, column, currency === 0 ? undefined : cells[plan.currency]!, sums)
      return
    }
    const tagsId = plan.tags >= 0 ? this.tagsStore.fromText(cells[plan.tags]) : 0
    const tags = this.tagInfo(tagsId, line, rows)
    for (let metric = 0; metric < this.metricCount; metric++) {
      const sum = sums[metric]
      this.costs[metric] = sum === null ? Number.NaN : 0
      this.bigCosts[metric] = sum ?? undefined
    }
    this.view = undefined
    this.cells = cells
    this.add(day, currency, tags, rows, nulls)
  }

  /** Rows of a summed combination whose cost cannot be read (Parquet): counted here, examples given by badCostExample. */
  badSummedRows(rows: number, metric: number, currency: string | null, sums: (bigint | null)[]): void {
    this.rows += rows
    this.badCount += rows
    this.recordSkipped(rows, currency ?? undefined, sums.map((sum, index) => (index === metric ? null : sum)))
  }

  /** One bad row's place and reason (Parquet reads them after the sums). */
  badCostExample(line: number, metric: number, reason: string): void {
    const column = this.plan!.cost[metric]
    if (this.bad.length < BAD_ROWS_KEPT) this.bad.push({ line, column: this.columnName(column), position: column + 1, reason: `${this.query.metrics[metric]} ${reason}` })
  }

  get badRowCount(): number {
    return this.badCount
  }

  /** The header positions a reader must deliver: cells (dates, currency, tags, groupings, filters) and costs per metric (-1: absent). */
  wanted(): { cells: number[]; costs: number[]; currency: number; billed: number } {
    const plan = this.plan!
    const cells = [plan.date, plan.currency, plan.tags, ...plan.dimensionColumn, ...plan.filterColumn].filter((column) => column >= 0)
    return { cells: [...new Set(cells)], costs: plan.cost, currency: plan.currency, billed: this.query.metrics.indexOf('BilledCost') }
  }

  /** A record the CSV scanner could not split into fields. */
  unreadableRecord(line: number, reason: string): void {
    this.rows++
    this.badRows(1, line, reason, undefined, undefined, [])
  }

  /** The value number of a column's cell in the current row. */
  private columnId(slot: number, column: number): number {
    return this.view ? this.columns[slot].fromBytes(this.view, column) : this.columns[slot].fromText(this.cells[column])
  }

  private tagInfo(tagsId: number, line: number, rows = 1): TagInfo {
    let info = this.tagInfos[tagsId]
    if (!info) {
      info = this.readTagInfo(this.tagsStore.values[tagsId])
      this.tagInfos[tagsId] = info
    }
    if (info.error) {
      if (this.unreadableTags.count === 0) {
        this.unreadableTags.line = line
        this.unreadableTags.reason = info.error
      }
      this.unreadableTags.count += rows
    }
    return info
  }

  private readTagInfo(cell: string | null): TagInfo {
    let tags = new Map<string, string>()
    let error: string | undefined
    if (cell !== null) {
      try {
        tags = parseTags(cell)
      } catch (failure) {
        error = `Tags is not a JSON object or list (${(failure as Error).message})`
      }
    }
    const project = tags.get(PROJECT_KEY)
    const valueOf = (dimension: Dimension): string | null => {
      if (dimension.kind === 'project') return project ?? null
      if (dimension.kind === 'service') return tags.get(SERVICE_KEY) ?? null
      if (dimension.kind === 'tag') return tags.get(tagKey(dimension.key)) ?? null
      return null
    }
    const values = this.tagDimensions.map(valueOf)
    const name = JSON.stringify(values)
    let reduced = this.reducedTags.get(name)
    if (reduced === undefined) {
      reduced = this.reducedValues.length
      this.reducedTags.set(name, reduced)
      this.reducedValues.push(values)
    }
    const passes = this.tagFilters.every((filter) => matches(filter, valueOf(filter.dimension)))
    return { reduced, project: this.projects.fromText(project ?? null), error, passes }
  }

  private add(day: number, currency: number, tags: TagInfo, rows = 1, nulls?: number[]): void {
    const query = this.query
    if ((query.from !== undefined && day < query.from) || (query.to !== undefined && day > query.to) || !tags.passes || !this.passesDayFilters(day)) {
      this.filtered += rows
      return
    }
    const plan = this.plan!
    for (let filter = 0; filter < this.columnFilters.length; filter++) {
      const column = plan.filterColumn[filter]
      const slot = 1 + plan.dimensionColumn.length + filter
      const id = column < 0 ? 0 : this.columnId(slot, column)
      let verdicts = this.columnVerdicts[filter]
      if (!verdicts || verdicts.length <= id) {
        const grown = new Uint8Array(Math.max(16, (id + 1) * 2))
        if (verdicts) grown.set(verdicts)
        this.columnVerdicts[filter] = verdicts = grown
      }
      if (verdicts[id] === 0) verdicts[id] = matches(this.columnFilters[filter], this.store(slot).values[id]) ? 1 : 2
      if (verdicts[id] === 2) {
        this.filtered += rows
        return
      }
    }
    const parts = this.parts
    parts[0] = tags.reduced
    parts[1] = this.byDay ? day : this.byMonth ? Math.floor(day / 100) : 0
    parts[2] = currency
    for (let dimension = 0; dimension < plan.dimensionColumn.length; dimension++) {
      const column = plan.dimensionColumn[dimension]
      parts[3 + dimension] = column < 0 ? 0 : this.columnId(1 + dimension, column)
    }
    const sums = this.sums
    const group = sums.group(parts)
    this.splitParts[0] = tags.project === 0 ? 0 : 1
    this.splitParts[1] = currency
    const side = this.split.group(this.splitParts)
    this.monthParts[0] = tags.project
    this.monthParts[1] = Math.floor(day / 100)
    this.monthParts[2] = currency
    const month = this.months.group(this.monthParts)
    const metrics = this.metricCount
    for (let metric = 0; metric < metrics; metric++) {
      const nanos = this.costs[metric]
      if (nanos !== nanos) {
        sums.addNulls(group, metric, rows)
        continue
      }
      const big = this.bigCosts[metric]
      if (big !== undefined) {
        sums.addBig(group, metric, big)
        this.split.addBig(side, metric, big)
        if (metric === 0) this.months.addBig(month, 0, big)
      } else {
        sums.add(group, metric, nanos)
        this.split.add(side, metric, nanos)
        if (metric === 0) this.months.add(month, 0, nanos)
      }
      if (nulls) sums.addNulls(group, metric, nulls[metric])
    }
    sums.addRows(group, rows, day)
    this.counted += rows
  }

  private passesDayFilters(day: number): boolean {
    for (const filter of this.dayFilters) {
      const value = filter.dimension.kind === 'day' ? dayText(day) : dayText(day).slice(0, 7)
      if (!matches(filter, value)) return false
    }
    return true
  }

  private badRows(rows: number, line: number, reason: string, column: number | undefined, currency: string | undefined, amounts: (bigint | null)[]): void {
    this.badCount += rows
    if (this.bad.length < BAD_ROWS_KEPT) {
      this.bad.push(column === undefined || column < 0 ? { line, reason } : { line, column: this.columnName(column), position: column + 1, reason })
    }
    this.recordSkipped(rows, currency, amounts)
  }

  /** How much skipped rows held, where it can be read: the first metric decides whether they are counted. */
  private recordSkipped(rows: number, currency: string | undefined, amounts: (bigint | null)[]): void {
    if (currency === undefined || amounts[0] === null || amounts[0] === undefined) {
      this.uncounted += rows
      return
    }
    let skipped = this.skipped.get(currency)
    if (!skipped) this.skipped.set(currency, (skipped = { currency, nanos: new Array(this.metricCount).fill(0n), rows: 0 }))
    amounts.forEach((amount, metric) => { if (amount !== null && amount !== undefined) skipped.nanos[metric] += amount })
    skipped.rows += rows
  }

  private columnName(column: number): string {
    return this.headerNames[column] ?? `column ${column + 1}`
  }

  summary(): FocusSummary {
    const query = this.query
    const sums = this.sums
    const groups: FocusGroup[] = []
    const metrics = query.metrics.map((_, metric) => metric)
    // One string per distinct day, shared by the groups (there may be hundreds of thousands).
    const days = new Map<number, string>()
    const day = (value: number) => days.get(value) ?? days.set(value, dayText(value)).get(value)!
    for (let group = 0; group < sums.count; group++) {
      const tags = this.reducedValues[sums.part(group, 0)]
      const from = day(sums.firstDay(group))
      let tagged = 0
      let columned = 0
      const keys = query.by.map((dimension): string | null => {
        if (isTagBased(dimension)) return tags[tagged++]
        if (dimension.kind === 'day') return from
        if (dimension.kind === 'month') return day(Math.floor(sums.firstDay(group) / 100) * 100 + 1).slice(0, 7)
        return this.store(1 + columned).values[sums.part(group, 3 + columned++)]
      })
      groups.push({
        keys,
        from,
        to: day(sums.lastDay(group)),
        currency: this.store(0).values[sums.part(group, 2)]!,
        nanos: metrics.map((metric) => sums.nanos(group, metric)),
        nulls: metrics.map((metric) => sums.nulls(group, metric)),
        rows: sums.rows(group),
      })
    }
    const split = new Map<string, SpendSplit>()
    for (let side = 0; side < this.split.count; side++) {
      const currency = this.store(0).values[this.split.part(side, 1)]!
      let entry = split.get(currency)
      if (!entry) split.set(currency, (entry = { currency, tagged: metrics.map(() => 0n), untagged: metrics.map(() => 0n) }))
      const amounts = this.split.part(side, 0) === 1 ? entry.tagged : entry.untagged
      for (const metric of metrics) amounts[metric] += this.split.nanos(side, metric)
    }
    const months: MonthSpend[] = []
    for (let month = 0; month < this.months.count; month++) {
      const period = this.months.part(month, 1)
      months.push({
        project: this.projects.values[this.months.part(month, 0)] ?? undefined,
        month: `${Math.floor(period / 100)}-${String(period % 100).padStart(2, '0')}`,
        currency: this.store(0).values[this.months.part(month, 2)]!,
        nanos: this.months.nanos(month, 0),
      })
    }
    return {
      flavour: this.flavour,
      metrics: query.metrics,
      rows: this.rows,
      counted: this.counted,
      filtered: this.filtered,
      groups,
      split: [...split.values()],
      months,
      bad: { count: this.badCount, rows: this.bad, skipped: [...this.skipped.values()].sort((a, b) => compare(a.currency, b.currency)), uncounted: this.uncounted },
      unreadableTags: { ...this.unreadableTags },
      missing: this.missing,
    }
  }
}

function isTagBased(dimension: Dimension): boolean {
  return dimension.kind === 'project' || dimension.kind === 'service' || dimension.kind === 'tag'
}

function isColumnBased(dimension: Dimension): boolean {
  return dimension.kind === 'column' || dimension.kind === 'provider'
}

function matches(filter: Filter, value: string | null): boolean {
  return (value === filter.value) === filter.equal
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
