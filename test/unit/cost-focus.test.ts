import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { monthSpend } from '../../src/costs/actual.js'
import { renderActualCsv, renderActualMarkdown, renderActualTable } from '../../src/costs/actual-report.js'
import { budgetGateError, checkActualBudget } from '../../src/costs/budget.js'
import { CsvStreamParser } from '../../src/costs/csv-stream.js'
import { parseQuery, type QueryFlags } from '../../src/costs/focus-query.js'
import { stratoTags } from '../../src/costs/focus-tags.js'
import { chargeDayFromText, costFromBytes, costFromText } from '../../src/costs/focus-values.js'
import { exitCodeFor } from '../../src/errors.js'
import { renderTable } from '../../src/output/table.js'
import { actual, refusal } from '../helpers/cost-actual.js'

const fixture = (name: string) => path.resolve('test/fixtures/cost/focus', name)

function parseAll(text: string, chunkSize: number) {
  const records: { fields: string[]; line: number }[] = []
  const bad: { line: number; reason: string }[] = []
  const parser = new CsvStreamParser({ record: (fields, line) => records.push({ fields: fields.texts(), line }), malformed: (line, reason) => bad.push({ line, reason }) })
  const bytes = new TextEncoder().encode(text)
  for (let at = 0; at < bytes.length; at += chunkSize) parser.push(bytes.subarray(at, at + chunkSize))
  parser.end()
  return { records, bad }
}

describe('streaming CSV parser', () => {
  const text = '\uFEFFa,b,c\r\n1,"x, ""quoted""",3\r\n"multi\nline",,\n\nlast,"",end été'
  it.each([1, 2, 3, 7, 1000])('gives the same records whatever the chunk size (%i)', (size) => {
    const { records, bad } = parseAll(text, size)
    expect(bad).toEqual([])
    expect(records).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'x, "quoted"', '3'], line: 2 },
      { fields: ['multi\nline', '', ''], line: 3 },
      { fields: ['last', '', 'end été'], line: 6 },
    ])
  })

  it('copies what it keeps, so the caller may reuse its chunk buffer', () => {
    const records: string[][] = []
    const parser = new CsvStreamParser({ record: (fields) => records.push(fields.texts()), malformed: () => {} })
    const bytes = Buffer.from('a,"b\nc"\nd,e\n')
    const chunk = Buffer.alloc(4)
    for (let at = 0; at < bytes.length; at += 4) {
      const read = bytes.copy(chunk, 0, at, at + 4)
      parser.push(chunk.subarray(0, read))
      chunk.fill(120) // overwrite, as the next read would
    }
    parser.end()
    expect(records).toEqual([['a', 'b\nc'], ['d', 'e']])
  })
})

describe('FOCUS values', () => {
  const bytes = (text: string) => { const encoded = new TextEncoder().encode(text); return costFromBytes(encoded, 0, encoded.length) }
  it('reads plain costs exactly in nanos from bytes, rounding half away from zero at the ninth decimal', () => {
    expect(bytes('0.5472')).toBe(547_200_000)
    expect(bytes('-0.10')).toBe(-100_000_000)
    expect(bytes('0.0234666667')).toBe(23_466_667)
    expect(bytes('0.0000000025')).toBe(3)
    expect(bytes('-0.0000000025')).toBe(-3)
    expect(bytes('0.00000000249')).toBe(2)
    expect(bytes('999999.5')).toBe(999_999_500_000_000)
    // Anything else goes to the text path: exponents, a plus sign, large amounts, NULL.
    for (const text of ['1.2e-05', '+1', '1000000', 'NULL', '', 'abc', '1.2.3']) expect(Number.isNaN(bytes(text))).toBe(true)
  })

  it('reads any decimal or exponent form exactly, and refuses what cannot be a cost', () => {
    expect(costFromText('1.2e-05')).toEqual({ nanos: 12_000n })
    expect(costFromText(' 12345678.5 ')).toEqual({ nanos: 12_345_678_500_000_000n })
    expect(costFromText('-1.5E3')).toEqual({ nanos: -1_500_000_000_000n })
    expect(costFromText('1e-400')).toEqual({ nanos: 0n })
    expect(costFromText('999999999999999.999')).toEqual({ nanos: 999_999_999_999_999_999_000_000n })
    expect(costFromText('1e400')).toEqual({ problem: expect.stringContaining('"1e400" is out of range') })
    expect(costFromText('1e15')).toEqual({ problem: expect.stringContaining('out of range') })
    expect(costFromText('abc')).toEqual({ problem: '"abc" is not a number' })
    expect(costFromText('NaN')).toEqual({ problem: '"NaN" is not a number' })
    expect(costFromText('.')).toEqual({ problem: '"." is not a number' })
  })

  it('reads charge periods strictly, as their UTC day', () => {
    expect(chargeDayFromText('2026-11-01')).toBe(20261101)
    expect(chargeDayFromText('2026-11-01T00:00:00.000Z')).toBe(20261101)
    expect(chargeDayFromText('2026-11-01T00:00Z')).toBe(20261101)
    expect(chargeDayFromText('2026-11-01 00:00:00 UTC')).toBe(20261101)
    expect(chargeDayFromText('2026-11-01T23:30:00-02:00')).toBe(20261102)
    expect(chargeDayFromText('2026-11-02T00:30:00+01:00')).toBe(20261101)
    expect(chargeDayFromText('2026-12-31T22:00:00-0300')).toBe(20270101)
    expect(chargeDayFromText('2026-11-01 12:00:00+00')).toBe(20261101)
    expect(chargeDayFromText('2024-02-29T00:00:00Z')).toBe(20240229)
    for (const text of ['2024-13-45', '2025-02-29', '2026-11-31T00:00:00Z', '2026-11-01T24:00:00Z', '2026-11-01T10:61Z', '2026-11-01T10:00:00+25:00', '2026-11-01X', 'yesterday', '11/01/2026', '2026-11-01T10:00:00.Z']) {
      expect(chargeDayFromText(text), text).toBe(-1)
    }
  })

  it('reads strato tags from JSON objects and key/value lists, in each cloud\'s spelling', () => {
    expect(stratoTags('{"user:strato.project":"shop","user:strato.service":"users"}')).toEqual({ project: 'shop', service: 'users' })
    expect(stratoTags('[{"key":"strato-project","value":"shop"},{"key":"strato_service","value":"pay"}]')).toEqual({ project: 'shop', service: 'pay' })
    expect(stratoTags('{"env":"prod"}')).toEqual({})
    expect(stratoTags('NULL')).toEqual({})
    expect(() => stratoTags('{nope')).toThrow(SyntaxError)
  })
})

describe('cost actual queries', () => {
  it('takes several groupings and metrics, comma-separated or repeated', () => {
    const query = parseQuery({ by: ['servicename,tag:team', 'day'], metric: ['effective', 'contracted'] })
    expect(query.by.map((dimension) => dimension.label)).toEqual(['ServiceName', 'tag:team', 'day'])
    expect(query.metrics).toEqual(['EffectiveCost', 'ContractedCost'])
    expect(parseQuery({}).metrics).toEqual(['BilledCost', 'EffectiveCost'])
    expect(parseQuery({}).by.map((dimension) => dimension.label)).toEqual(['project', 'service', 'provider'])
  })

  it('refuses unknown groupings, metrics, dates and filters as usage errors with a suggestion', () => {
    const refused = (flags: QueryFlags) => { try { parseQuery(flags) } catch (error) { return { code: exitCodeFor(error), message: (error as Error).message } } throw new Error('accepted') }
    expect(refused({ by: ['RegoinId'] })).toEqual({ code: 2, message: expect.stringContaining('Did you mean RegionId?') })
    expect(refused({ metric: ['billd'] })).toEqual({ code: 2, message: expect.stringContaining('Did you mean billed?') })
    expect(refused({ from: '2024-13-45' }).code).toBe(2)
    expect(refused({ from: '2026-11-05', to: '2026-11-01' }).code).toBe(2)
    expect(refused({ where: ['ServiceName'] }).code).toBe(2)
    expect(refused({ by: ['day', 'day'] }).code).toBe(2)
  })
})

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'strato-focus-'))

describe('FOCUS exports (fixtures in repository)', () => {
  it('sums an AWS export by project and service tag, untagged apart', async () => {
    const { json } = await actual([fixture('aws.csv')])
    // users: 0.5472 + 0.5472 + 0.6048 - 0.10 = 1.5992; orders: 0.0234666667; untagged NAT: 1.25; total 2.8726666667
    expect(json.rows.map((row) => [row.group.project, row.group.service, row.amounts.BilledCost, row.from, row.to])).toEqual([
      ['shop', 'orders', 0.02, '2026-11-01', '2026-11-01'],
      ['shop', 'users', 1.6, '2026-11-01', '2026-11-02'],
      [null, null, 1.25, '2026-11-01', '2026-11-01'],
    ])
    // Subtotals are exact sums rounded once: tagged 1.6226666667 -> 1.62, untagged 1.25, total 2.87.
    expect(json.totals[0]).toMatchObject({ currency: 'USD', amounts: { BilledCost: 2.87 }, tagged: { BilledCost: 1.62 }, untagged: { BilledCost: 1.25 } })
    expect(json.sources[0]).toMatchObject({ flavour: 'aws', rows: 6, counted: 6 })
  })

  it('reads an Azure export without ListCost and a Google export with exponent amounts', async () => {
    const azure = await actual([fixture('azure.csv')], { metric: ['billed'] })
    expect(azure.json.totals.map((total) => [total.currency, total.amounts.BilledCost, total.untagged.BilledCost])).toEqual([['EUR', 2.1, 0], ['USD', 2.68, 0.6]])
    expect(azure.json.rows.find((row) => row.group.project === 'shop' && row.group.service === null)).toMatchObject({ amounts: { BilledCost: 0.09 }, currency: 'USD' })
    const gcp = await actual([fixture('gcp.csv')])
    // payments 0.402024 + 0.036667 = 0.438691; blog 0.3; untagged 0.000012
    expect(gcp.json.rows.map((row) => [row.group.project, row.group.service, row.amounts.BilledCost])).toEqual([['blog', null, 0.3], ['shop', 'payments', 0.44], [null, null, 0]])
  })

  it('stops on rows that cannot be read, naming the file, line and column, and skips them only when asked', async () => {
    const file = fixture('malformed.csv')
    const failed = await refusal(actual([file]))
    expect(failed.code).toBe(2)
    expect(failed.message).toBe(`5 rows of ${file} cannot be read; the first is line 3, column 1 (BilledCost): BilledCost "abc" is not a number.`)
    expect(failed.details).toEqual([
      'line 4: has 5 fields, the header has 6',
      'line 5, column 3 (ChargePeriodStart): ChargePeriodStart "yesterday" is not a date-time',
      'line 7: unexpected text after a closing quote in field 5',
      'line 10: a quoted field is never closed',
    ])
    const warnings: string[] = []
    const { json, report, spend } = await actual([file], { skipBadRows: true, metric: ['billed'] }, { step() {}, done() {}, warn: (message) => warnings.push(message) })
    // line 6 has Tags "{not json}": untagged spend, not a bad row; lines 2, 6 and 9 are summed: 1 + 4 + 6.
    expect(json.totals[0]).toMatchObject({ amounts: { BilledCost: 11 }, tagged: { BilledCost: 7 }, untagged: { BilledCost: 4 } })
    // line 5 held 3.00 with an unreadable date; the cost of the other four is unknown.
    expect(warnings).toContain(`Skipped 5 bad rows of ${file} (--skip-bad-rows): they held 3.00 USD of BilledCost on 1 row; the cost of 4 rows could not be read, so how much they held is unknown.`)
    expect(warnings).toContain(`Tags could not be read on 1 row of ${file} (first at line 6: Tags is not a JSON object or list (Expected property name or '}' in JSON at position 1 (line 1 column 2))); their spend counts as untagged.`)
    const text = renderActualTable(report, spend.notes)
    expect(text).toContain('  line 4: has 5 fields, the header has 6')
  })

  it('writes actual spend as CSV and as a Markdown comment, each figure named by its metric', async () => {
    const { report, spend } = await actual([fixture('aws.csv')])
    const csv = renderActualCsv(report).split('\r\n')
    expect(csv[0]).toBe('project,service,provider,from,to,BilledCost,EffectiveCost,currency,rows')
    expect(csv).toContain('shop,users,AWS,2026-11-01,2026-11-02,1.60,1.60,USD,4')
    expect(csv).toContain(',,AWS,2026-11-01,2026-11-01,1.25,1.25,USD,1')
    const markdown = renderActualMarkdown(report, spend.notes)
    expect(markdown).toContain('### strato cost actual: 2026-11-01 to 2026-11-02')
    expect(markdown).toContain('Total: BilledCost **2.87 USD** (untagged: 1.25 USD), EffectiveCost **2.87 USD** (untagged: 1.25 USD)')
    expect(markdown).toContain('_Figures: BilledCost (what was invoiced); EffectiveCost (amortised: commitments spread over the usage they cover)._')
  })
})

describe('large reports', () => {
  it('renders more rows than a call takes arguments (a ResourceId by day grouping)', () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => [`i-${index}`, '0.01'])
    const text = renderTable(['RESOURCE', 'BilledCost'], rows, { alignRight: [1] })
    expect(text.split('\n')).toHaveLength(200_001)
    expect(text.split('\n')[200_000]).toBe('i-199999        0.01')
  })
})

describe('budget on actual spend', () => {
  it('extrapolates the current month to its end and gates with exit code 3', async () => {
    const { spend } = await actual([fixture('aws.csv')])
    // project shop in 2026-11: 1.5992 + 0.0234666667 = 1.6226666667
    expect(monthSpend(spend.months, 'shop', 'USD')?.nanos).toBe(1_622_666_667n)
    // on 2026-11-03T00:00Z two days have passed: 1.6226666667 / 2 × 30 = 24.34
    const check = checkActualBudget(spend.months, 'shop', 20, 'USD', new Date('2026-11-03T00:00:00Z'))
    expect(check.exceeded).toBe(true)
    expect(check.amount).toBe(2434n)
    expect(check.summary).toBe('The month-to-date actual (BilledCost) of 1.62 USD over 2.0 of 30 days, extrapolated to month end, of 24.34 USD exceeds the monthly budget of 20.00 USD by 4.34 USD.')
    expect(exitCodeFor(budgetGateError(check, {}))).toBe(3)
    // A past month is compared whole, without extrapolation.
    const later = checkActualBudget(spend.months, 'shop', 20, 'USD', new Date('2026-12-15T00:00:00Z'))
    expect(later).toMatchObject({ exceeded: false, amount: 162n })
  })
})

describe('reading files', () => {
  it('reads a gzip-compressed CSV export as a stream', async () => {
    const file = path.join(tmp(), 'aws.csv.gz')
    writeFileSync(file, gzipSync(readFileSync(fixture('aws.csv'))))
    expect((await actual([file])).json.totals[0].amounts.BilledCost).toBe(2.87)
  })

  it('refuses a file without the FOCUS columns, or without an asked-for metric', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'x.csv'), 'date,amount\n2026-11-01,3\n')
    expect(await refusal(actual([path.join(dir, 'x.csv')]))).toMatchObject({ code: 2, message: expect.stringContaining('the header has no ChargePeriodStart, BillingCurrency, BilledCost columns') })
    expect(await refusal(actual([fixture('azure.csv')], { metric: ['list'] }))).toMatchObject({ code: 2, message: expect.stringContaining('has no ListCost column') })
  })
})
