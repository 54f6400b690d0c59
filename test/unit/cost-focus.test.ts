import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { describe, expect, it } from 'vitest'
import { actualReport, focusSpend, monthSpend } from '../../src/costs/actual.js'
import { actualJson, renderActualCsv, renderActualMarkdown, renderActualTable } from '../../src/costs/actual-report.js'
import { checkActualBudget } from '../../src/costs/budget.js'
import { CsvStreamParser } from '../../src/costs/csv-stream.js'
import { costNanos, stratoTags } from '../../src/costs/focus.js'
import { readFocusFile } from '../../src/costs/focus-file.js'
import { exitCodeFor } from '../../src/errors.js'
import { budgetGateError } from '../../src/costs/budget.js'

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
  it('parses costs exactly in nanos, including exponent form and long decimals', () => {
    expect(costNanos('0.5472')).toBe(547_200_000)
    expect(costNanos('-0.10')).toBe(-100_000_000)
    expect(costNanos('1.2e-05')).toBe(12_000)
    expect(costNanos('0.0234666667')).toBe(23_466_667)
    expect(costNanos('0.0000000025')).toBe(2)
    expect(costNanos('0.00000000251')).toBe(3)
    expect(costNanos('12345678.5')).toBe(12_345_678_500_000_000)
    expect(Number.isNaN(costNanos('abc'))).toBe(true)
    expect(Number.isNaN(costNanos(''))).toBe(true)
  })

  it('reads strato tags from JSON objects and key/value lists, in each cloud\'s spelling', () => {
    expect(stratoTags('{"user:strato.project":"shop","user:strato.service":"users"}')).toEqual({ project: 'shop', service: 'users' })
    expect(stratoTags('[{"key":"strato-project","value":"shop"},{"key":"strato_service","value":"pay"}]')).toEqual({ project: 'shop', service: 'pay' })
    expect(stratoTags('{"env":"prod"}')).toEqual({})
    expect(() => stratoTags('{nope')).toThrow(SyntaxError)
  })
})

/** Amount per project/service row, as the report prints them. */
async function rowsOf(name: string) {
  const summary = await readFocusFile(fixture(name))
  const report = actualReport(focusSpend(summary, name), 'service')
  return { summary, report, json: actualJson(report, []) }
}

describe('FOCUS exports', () => {
  it('sums an AWS export by project and service tag, untagged apart', async () => {
    const { summary, json } = await rowsOf('aws.csv')
    expect(summary.flavour).toBe('aws')
    expect(summary.malformed.count).toBe(0)
    expect(summary.rows).toBe(6)
    // users: 0.5472 + 0.5472 + 0.6048 - 0.10 = 1.5992; orders: 0.0234666667; untagged NAT: 1.25
    // total 2.8726666667 -> 2.87; users takes the missing cent (largest remainder) -> 1.60
    expect(json.rows.map((row) => [row.project, row.service, row.amount, row.from, row.to])).toEqual([
      ['shop', 'orders', 0.02, '2026-11-01', '2026-11-01'],
      ['shop', 'users', 1.6, '2026-11-01', '2026-11-02'],
      [null, null, 1.25, '2026-11-01', '2026-11-01'],
    ])
    expect(json.totals).toEqual([{ currency: 'USD', amount: 2.87, tagged: 1.62, untagged: 1.25 }])
  })

  it('reads an Azure export with x_ columns, a missing service tag and a second currency', async () => {
    const { summary, json } = await rowsOf('azure.csv')
    expect(summary.flavour).toBe('azure')
    // USD: orders 2 × 0.9984 = 1.9968; shop without service 0.088; untagged 0.60 -> total 2.6848 -> 2.68
    expect(json.totals).toEqual([
      { currency: 'EUR', amount: 2.1, tagged: 2.1, untagged: 0 },
      { currency: 'USD', amount: 2.68, tagged: 2.08, untagged: 0.6 },
    ])
    expect(json.rows.find((row) => row.service === '(no service tag)')).toMatchObject({ project: 'shop', amount: 0.09, currency: 'USD' })
  })

  it('reads a Google Cloud export with label-safe keys, key/value tag lists and exponent amounts', async () => {
    const { summary, json } = await rowsOf('gcp.csv')
    expect(summary.flavour).toBe('gcp')
    // payments 0.402024 + 0.036667 = 0.438691; blog 0.3; untagged 0.000012; total 0.738703 -> 0.74
    expect(json.rows.map((row) => [row.project, row.service, row.amount])).toEqual([
      ['blog', '(no service tag)', 0.3], ['shop', 'payments', 0.44], [null, null, 0],
    ])
    expect(json.totals[0].amount).toBe(0.74)
  })

  it('counts every malformed line with its line number and never drops one silently', async () => {
    const { summary, report } = await rowsOf('malformed.csv')
    expect(summary.malformed.count).toBe(6)
    expect(summary.malformed.lines).toEqual([
      { line: 3, reason: 'BilledCost "abc" is not a number' },
      { line: 4, reason: 'has 5 fields, the header has 6' },
      { line: 5, reason: 'ChargePeriodStart "yesterday" is not a date' },
      { line: 6, reason: expect.stringMatching(/^Tags is not valid JSON/) },
      { line: 7, reason: 'unexpected text after a closing quote in field 5' },
      { line: 10, reason: 'a quoted field is never closed' },
    ])
    expect(summary.rows).toBe(2)
    const text = renderActualTable(report, [{ source: 'malformed.csv', detail: 'FOCUS csv', malformed: summary.malformed }])
    expect(text).toContain('6 malformed lines in malformed.csv not counted:')
    expect(text).toContain('  line 4: has 5 fields, the header has 6')
  })

  it('writes actual spend as CSV and as a Markdown comment, untagged spend named', async () => {
    const { report } = await rowsOf('aws.csv')
    const csv = renderActualCsv(report).split('\r\n')
    expect(csv[0]).toBe('project,service,provider,from,to,amount,currency,tagged')
    expect(csv).toContain('shop,users,AWS,2026-11-01,2026-11-02,1.60,USD,true')
    expect(csv).toContain('(untagged),,AWS,2026-11-01,2026-11-01,1.25,USD,false')
    const markdown = renderActualMarkdown(report, [])
    expect(markdown).toContain('### strato cost actual: 2026-11-01 to 2026-11-02')
    expect(markdown).toContain('Total: **2.87 USD** (untagged: 1.25 USD)')
  })

  it('reads a gzip-compressed CSV export as a stream', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strato-focus-'))
    const file = path.join(dir, 'aws.csv.gz')
    writeFileSync(file, gzipSync(readFileSync(fixture('aws.csv'))))
    const summary = await readFocusFile(file)
    expect(summary.rows).toBe(6)
    expect(actualJson(actualReport(focusSpend(summary, 'aws.csv.gz'), 'service'), []).totals[0].amount).toBe(2.87)
  })

  it('refuses a file without the FOCUS cost columns', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strato-focus-'))
    writeFileSync(path.join(dir, 'x.csv'), 'date,amount\n2026-11-01,3\n')
    await expect(readFocusFile(path.join(dir, 'x.csv'))).rejects.toMatchObject({ message: expect.stringContaining('has no BilledCost, ChargePeriodStart, BillingCurrency columns') })
  })

  it('reads the same data from Parquet, row group by row group', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strato-focus-'))
    const file = path.join(dir, 'export.parquet')
    // gzip, as some exports use: snappy is hyparquet's only built-in codec
    const buffer = parquetWriteBuffer({
      rowGroupSize: 2,
      codec: 'GZIP',
      compressors: { GZIP: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes)) },
      columnData: [
        { name: 'BilledCost', data: [0.5472, 0.6048, 1.25], type: 'DOUBLE' },
        { name: 'BillingCurrency', data: ['USD', 'USD', 'USD'], type: 'STRING' },
        { name: 'ChargePeriodStart', data: [new Date('2026-11-01T00:00:00Z'), new Date('2026-11-02T00:00:00Z'), new Date('2026-11-02T00:00:00Z')], type: 'TIMESTAMP' },
        { name: 'ProviderName', data: ['AWS', 'AWS', 'AWS'], type: 'STRING' },
        { name: 'Tags', data: ['{"user:strato.project":"shop","user:strato.service":"users"}', '{"user:strato.project":"shop","user:strato.service":"users"}', '{}'], type: 'STRING' },
      ],
    })
    writeFileSync(file, Buffer.from(buffer))
    const summary = await readFocusFile(file)
    expect(summary.format).toBe('parquet')
    expect(summary.rows).toBe(3)
    const report = actualReport(focusSpend(summary, 'export.parquet'), 'day')
    expect(actualJson(report, []).rows.map((row) => [row.service, row.from, row.amount])).toEqual([
      ['users', '2026-11-01', 0.55], ['users', '2026-11-02', 0.6], [null, '2026-11-02', 1.25],
    ])
  })
})

describe('budget on actual spend', () => {
  it('extrapolates the current month to its end and gates with exit code 3', async () => {
    const summary = await readFocusFile(fixture('aws.csv'))
    const lines = focusSpend(summary, 'aws.csv')
    // project shop in 2026-11: 1.5992 + 0.0234666667 = 1.6226666667
    expect(monthSpend(lines, 'shop', 'USD')?.nanos).toBe(1_622_666_667n)
    // on 2026-11-03T00:00Z two days have passed: 1.6226666667 / 2 × 30 = 24.34
    const check = checkActualBudget(lines, 'shop', 20, 'USD', new Date('2026-11-03T00:00:00Z'))
    expect(check.exceeded).toBe(true)
    expect(check.amount).toBe(2434n)
    expect(check.summary).toBe('The month-to-date actual of 1.62 USD over 2.0 of 30 days, extrapolated to month end, of 24.34 USD exceeds the monthly budget of 20.00 USD by 4.34 USD.')
    expect(exitCodeFor(budgetGateError(check, {}))).toBe(3)
    // A past month is compared whole, without extrapolation.
    const later = checkActualBudget(lines, 'shop', 20, 'USD', new Date('2026-12-15T00:00:00Z'))
    expect(later).toMatchObject({ exceeded: false, amount: 162n })
  })
})
