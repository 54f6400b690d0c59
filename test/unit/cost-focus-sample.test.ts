// strato cost actual on an export with the traits of the FinOps sample (see test/helpers/focus-sample.ts):
// every figure is compared with sums of exact micro-units worked out here, never by strato's code.
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { QueryFlags } from '../../src/costs/focus-query.js'
import type { Progress } from '../../src/model.js'
import { actual as readActual, refusal } from '../helpers/cost-actual.js'
import { expectedCents, halfEvenCents, HEADER, microText, SAMPLE, sampleCells, sampleCsv, writeSampleCsv, writeSampleParquet, type SampleRow } from '../helpers/focus-sample.js'

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'strato-sample-'))
const actual = async (files: string[], flags: QueryFlags = {}, progress?: Progress) => (await readActual(files, flags, progress)).json

type Json = Awaited<ReturnType<typeof actual>>

/** Each row's group values and currency joined by "|" -> its amount in a metric. */
function figures(json: Json, metric = 'BilledCost'): Record<string, number> {
  return Object.fromEntries(json.rows.map((row) => [[...Object.values(row.group).map((value) => value ?? '-'), row.currency].join('|'), (row.amounts as Record<string, number>)[metric]]))
}

function totals(json: Json, metric = 'BilledCost') {
  return Object.fromEntries(json.totals.map((total) => [total.currency, [(total.amounts as Record<string, number>)[metric], (total.tagged as Record<string, number>)[metric], (total.untagged as Record<string, number>)[metric]]]))
}

const join = (...parts: (string | undefined | null)[]) => parts.map((part) => part ?? '-').join('|')
const goldenTotals = (rows: SampleRow[], amount: (row: SampleRow) => bigint | null) => {
  const all = expectedCents(rows, (row) => row.currency, amount)
  const tagged = expectedCents(rows.filter((row) => row.project), (row) => row.currency, amount)
  const untagged = expectedCents(rows.filter((row) => !row.project), (row) => row.currency, amount)
  return Object.fromEntries(Object.keys(all).map((currency) => [currency, [all[currency], tagged[currency] ?? 0, untagged[currency] ?? 0]]))
}

describe('an export with the traits of the FinOps sample', () => {
  const file = writeSampleCsv(path.join(tmp(), 'sample.csv'))

  it('counts every row, NULL tags and credits included, per currency', async () => {
    const json = await actual([file])
    expect(json.sources[0]).toMatchObject({ rows: SAMPLE.length, counted: SAMPLE.length, badRows: { count: 0 }, unreadableTags: { count: 0 } })
    expect(totals(json)).toEqual(goldenTotals(SAMPLE, (row) => row.billed))
    expect(totals(json, 'EffectiveCost')).toEqual(goldenTotals(SAMPLE, (row) => row.effective))
    expect(figures(json)).toEqual(expectedCents(SAMPLE, (row) => join(row.project, row.strato, row.provider, row.currency), (row) => row.billed))
  })

  it('keeps tagged and untagged subtotals the same whatever the grouping', async () => {
    const golden = goldenTotals(SAMPLE, (row) => row.billed)
    for (const by of [['project', 'service'], ['ServiceName'], ['day'], ['SubAccountId', 'RegionId'], ['tag:team', 'ChargeCategory'], ['month']]) {
      expect(totals(await actual([file], { by })), by.join(',')).toEqual(golden)
    }
  })

  it('groups by any FOCUS column or tag, several at once', async () => {
    const byService = await actual([file], { by: ['ServiceName', 'RegionId'] })
    expect(figures(byService)).toEqual(expectedCents(SAMPLE, (row) => join(row.service, row.region, row.currency), (row) => row.billed))
    const byTeam = await actual([file], { by: ['tag:team,ChargeCategory'], metric: ['effective'] })
    expect(figures(byTeam, 'EffectiveCost')).toEqual(expectedCents(SAMPLE, (row) => join(row.team, row.category, row.currency), (row) => row.effective))
    const byAccount = await actual([file], { by: ['SubAccountId', 'provider'] })
    expect(figures(byAccount)).toEqual(expectedCents(SAMPLE, (row) => join(row.subAccount, row.provider, row.currency), (row) => row.billed))
  })

  it('puts each charge on the UTC day of ChargePeriodStart, offsets included', async () => {
    const json = await actual([file], { by: ['day'] })
    expect(figures(json)).toEqual(expectedCents(SAMPLE, (row) => join(row.day, row.currency), (row) => row.billed))
    expect(json.period).toEqual({ from: '2026-11-01', to: '2026-11-03' })
  })

  it('counts empty optional cost cells as no value, not as bad rows', async () => {
    const json = await actual([file], { metric: ['contracted', 'list'], by: ['provider'] })
    const empty = SAMPLE.filter((row) => row.contracted === null).length
    expect(json.sources[0]).toMatchObject({ counted: SAMPLE.length, withoutValue: { ContractedCost: empty, ListCost: 0 } })
    expect(figures(json, 'ContractedCost')).toEqual(expectedCents(SAMPLE, (row) => join(row.provider, row.currency), (row) => row.contracted ?? 0n))
    expect(json.sources[0].remarks).toContain(`ContractedCost is empty on ${empty} rows: they add nothing to its figures.`)
  })

  it('keeps the days from --from to --to and the rows --where names, and says how many it left out', async () => {
    const kept = SAMPLE.filter((row) => row.day >= '2026-11-02' && row.day <= '2026-11-02' && row.category === 'Usage' && row.provider !== 'Oracle')
    const json = await actual([file], { from: '2026-11-02', to: '2026-11-02', where: ['ChargeCategory=Usage', 'provider!=Oracle'], by: ['provider'] })
    expect(figures(json)).toEqual(expectedCents(kept, (row) => join(row.provider, row.currency), (row) => row.billed))
    expect(json.sources[0]).toMatchObject({ counted: kept.length, filtered: SAMPLE.length - kept.length })
    const shop = await actual([file], { where: ['tag:strato.project=shop', 'RegionId='], by: ['ServiceName'] })
    expect(figures(shop)).toEqual(expectedCents(SAMPLE.filter((row) => row.project === 'shop' && row.region === null), (row) => join(row.service, row.currency), (row) => row.billed))
  })

  it('gives the same figures from gzip-compressed CSV and from typed Parquet', async () => {
    const dir = tmp()
    const csv = await actual([file], { by: ['project', 'ServiceName', 'day'], metric: ['billed', 'effective', 'contracted'] })
    const gz = await actual([writeSampleCsv(path.join(dir, 'sample.csv.gz'))], { by: ['project', 'ServiceName', 'day'], metric: ['billed', 'effective', 'contracted'] })
    const parquet = await actual([writeSampleParquet(path.join(dir, 'sample.parquet'))], { by: ['project', 'ServiceName', 'day'], metric: ['billed', 'effective', 'contracted'] })
    expect(gz.rows).toEqual(csv.rows)
    expect(gz.totals).toEqual(csv.totals)
    expect(parquet.rows).toEqual(csv.rows)
    expect(parquet.totals).toEqual(csv.totals)
    expect(parquet.sources[0]).toMatchObject({ format: 'parquet', rows: SAMPLE.length, counted: SAMPLE.length })
  })

  it('counts rows whose tags cannot be read as untagged, with one warning', async () => {
    const broken = SAMPLE.map((row, index) => (index < 2 ? { ...row, tags: '{"user:strato.project":"shop"', project: undefined, strato: undefined } : row))
    const warnings: string[] = []
    const json = await actual([writeSampleCsv(path.join(tmp(), 'tags.csv'), broken)], {}, { step() {}, done() {}, warn: (message) => warnings.push(message) })
    expect(totals(json)).toEqual(goldenTotals(broken, (row) => row.billed))
    expect(json.sources[0]).toMatchObject({ counted: SAMPLE.length, unreadableTags: { count: 2, line: 2 } })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^Tags could not be read on 2 rows of .*tags\.csv \(first at line 2: /)
  })
})

describe('many groups', () => {
  it('sums thousands of distinct resources exactly, whatever the order of the rows', async () => {
    // 6,000 resources × 3 rows, shuffled by a fixed stride: every table inside grows several times.
    const lines = ['BilledCost,BillingCurrency,ChargePeriodStart,ResourceId,Tags']
    const expected = new Map<string, bigint>()
    for (let i = 0; i < 18_000; i++) {
      const n = (i * 7_919) % 18_000
      const resource = n % 6_000
      const currency = resource % 5 === 0 ? 'EUR' : 'USD'
      const micro = BigInt((n * 37) % 1_000_003) - 400_000n
      const key = `r-${resource}|${currency}`
      expected.set(key, (expected.get(key) ?? 0n) + micro)
      lines.push(`${microText(micro)},${currency},2026-11-${String(1 + (n % 28)).padStart(2, '0')}T00:00:00Z,r-${resource},${n % 3 ? 'NULL' : '{"strato.project":"shop"}'}`)
    }
    const file = path.join(tmp(), 'many.csv')
    writeFileSync(file, lines.join('\n'))
    const json = await actual([file], { by: ['ResourceId'], metric: ['billed'] })
    expect(figures(json)).toEqual(Object.fromEntries([...expected].map(([key, micro]) => [key, Number(halfEvenCents(micro)) / 100])))
    const byDay = await actual([file], { by: ['ResourceId', 'day'], metric: ['billed'] })
    expect(byDay.totals).toEqual(json.totals)
    expect(byDay.rows.reduce((sum, row) => sum + row.rows, 0)).toBe(18_000)
  })
})

describe('bad input', () => {
  /** The sample with one cell of one row replaced: the row is on line index + 2. */
  function withCell(index: number, column: string, value: string, name = 'bad.csv') {
    const rows = [HEADER, ...SAMPLE.map(sampleCells)]
    rows[index + 1][HEADER.indexOf(column)] = value
    const file = path.join(tmp(), name)
    writeFileSync(file, rows.map((cells) => cells.map((cell) => (/[",]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',')).join('\n'))
    return file
  }

  it.each([
    ['1e400', 'BilledCost', 1, 'BilledCost "1e400" is out of range (a row\'s cost must be below 1e15 in magnitude)'],
    ['abc', 'BilledCost', 1, 'BilledCost "abc" is not a number'],
    ['NULL', 'BilledCost', 1, 'BilledCost is empty'],
    ['Infinity', 'EffectiveCost', 9, 'EffectiveCost "Infinity" is not a number'],
    ['2024-13-45', 'ChargePeriodStart', 7, 'ChargePeriodStart "2024-13-45" is not a date-time'],
    ['2026-11-01T10:00:00+99:00', 'ChargePeriodStart', 7, 'ChargePeriodStart "2026-11-01T10:00:00+99:00" is not a date-time'],
    ['NULL', 'BillingCurrency', 3, 'BillingCurrency is empty'],
  ])('stops on %s in %s with exit 2, the file, line and column', async (value, column, position, reason) => {
    const file = withCell(4, column, value)
    const failed = await refusal(actual([file]))
    expect(failed).toMatchObject({ code: 2, message: `A row of ${file} cannot be read: line 6, column ${position} (${column}): ${reason}.` })
  })

  it('skips bad rows when asked, and says how much they held and what it could not count', async () => {
    const file = withCell(4, 'ChargePeriodStart', '2024-13-45')
    const json = await actual([file], { skipBadRows: true, metric: ['billed'] })
    const rest = SAMPLE.filter((_, index) => index !== 4)
    expect(totals(json)).toEqual(goldenTotals(rest, (row) => row.billed))
    expect(json.sources[0]).toMatchObject({ badRows: { count: 1, uncounted: 0, skipped: [{ currency: 'USD', rows: 1, amounts: { BilledCost: Number(microText(SAMPLE[4].billed)) } }] } })
    const unknown = await actual([withCell(4, 'BilledCost', '1e400')], { skipBadRows: true })
    expect(unknown.sources[0]).toMatchObject({ badRows: { count: 1, uncounted: 1, skipped: [] } })
    expect(unknown.sources[0].remarks[0]).toMatch(/the cost of 1 row could not be read, so how much they held is unknown\.$/)
  })

  it('refuses a truncated or fake .gz, a directory, a missing file and an empty one with exit 2 naming it', async () => {
    const dir = tmp()
    const whole = gzipSync(sampleCsv())
    const truncated = path.join(dir, 'cut.csv.gz')
    writeFileSync(truncated, whole.subarray(0, whole.length - 40))
    expect(await refusal(actual([truncated]))).toMatchObject({ code: 2, message: expect.stringMatching(new RegExp(`^${truncated} is not a complete gzip file`)) })
    const fake = path.join(dir, 'fake.csv.gz')
    writeFileSync(fake, sampleCsv())
    expect(await refusal(actual([fake]))).toEqual(expect.objectContaining({ code: 2, message: `${fake} is named .gz but is not gzip-compressed.` }))
    const garbage = path.join(dir, 'garbage.csv.gz')
    writeFileSync(garbage, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not really gzip at all')]))
    expect(await refusal(actual([garbage]))).toMatchObject({ code: 2, message: expect.stringContaining(garbage) })
    mkdirSync(path.join(dir, 'exports'))
    expect(await refusal(actual([path.join(dir, 'exports')]))).toMatchObject({ code: 2, message: `${path.join(dir, 'exports')} is a directory, not a FOCUS export file.` })
    expect(await refusal(actual([path.join(dir, 'nope.csv')]))).toMatchObject({ code: 2, message: `No FOCUS export at ${path.join(dir, 'nope.csv')}.` })
    writeFileSync(path.join(dir, 'empty.csv'), '')
    expect(await refusal(actual([path.join(dir, 'empty.csv')]))).toMatchObject({ code: 2, message: `${path.join(dir, 'empty.csv')} is empty.` })
  })

  it('refuses a Parquet file that is not one, or is cut short', async () => {
    const dir = tmp()
    const fake = path.join(dir, 'fake.parquet')
    writeFileSync(fake, sampleCsv())
    expect(await refusal(actual([fake]))).toMatchObject({ code: 2, message: `${fake} is named .parquet but is not a Parquet file.` })
    const whole = readFileSync(writeSampleParquet(path.join(dir, 'whole.parquet')))
    const cut = path.join(dir, 'cut.parquet')
    writeFileSync(cut, whole.subarray(0, whole.length - 100))
    expect(await refusal(actual([cut]))).toMatchObject({ code: 2, message: expect.stringMatching(new RegExp(`^${cut} is not a readable Parquet file`)) })
  })

  it('stops on a Parquet cost that is not a number, with its row, and filters Parquet rows as CSV rows', async () => {
    const dir = tmp()
    const broken = writeSampleParquet(path.join(dir, 'nan.parquet'), SAMPLE.map((row, index) => (index === 2 ? { ...row, billed: null as unknown as bigint } : row)))
    expect(await refusal(actual([broken]))).toMatchObject({ code: 2, message: `A row of ${broken} cannot be read: row 3, column 1 (BilledCost): BilledCost is empty.` })
    const skipped = await actual([broken], { skipBadRows: true, metric: ['billed'] })
    expect(totals(skipped)).toEqual(goldenTotals(SAMPLE.filter((_, index) => index !== 2), (row) => row.billed))
    const flags = { from: '2026-11-02', where: ['ChargeCategory!=Tax', 'tag:team=core'], by: ['provider', 'day'] }
    const parquet = await actual([writeSampleParquet(path.join(dir, 'sample.parquet'))], flags)
    expect(parquet.rows).toEqual((await actual([writeSampleCsv(path.join(dir, 'sample.csv'))], flags)).rows)
    expect(figures(parquet)).toEqual(expectedCents(SAMPLE.filter((row) => row.day >= '2026-11-02' && row.category !== 'Tax' && row.team === 'core'), (row) => join(row.provider, row.day, row.currency), (row) => row.billed))
  })

  it('refuses the same file given twice, by another path, a hard link or a copy', async () => {
    const dir = tmp()
    const file = writeSampleCsv(path.join(dir, 'sample.csv'))
    expect(await refusal(actual([file, file]))).toMatchObject({ code: 2, message: `${file} is given twice (also as ${file}).` })
    expect(await refusal(actual([file, path.join(dir, '.', 'sample.csv')]))).toMatchObject({ code: 2 })
    linkSync(file, path.join(dir, 'linked.csv'))
    expect(await refusal(actual([file, path.join(dir, 'linked.csv')]))).toMatchObject({ code: 2, message: expect.stringContaining('is given twice') })
    copyFileSync(file, path.join(dir, 'copy.csv'))
    expect(await refusal(actual([file, path.join(dir, 'copy.csv')]))).toMatchObject({ code: 2, message: `${path.join(dir, 'copy.csv')} has the same content as ${file}.` })
    // Two different exports are summed together.
    const other = writeSampleCsv(path.join(dir, 'other.csv'), SAMPLE.slice(0, 3))
    expect(totals(await actual([file, other]))).toEqual(goldenTotals([...SAMPLE, ...SAMPLE.slice(0, 3)], (row) => row.billed))
  })
})
