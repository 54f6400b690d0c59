// strato cost as a CI step runs it: the built CLI, its exit codes and outputs.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { expectedCents, SAMPLE, sampleCsv, writeSampleCsv, writeSampleParquet } from '../helpers/focus-sample.js'

const bin = path.resolve('bin/run.js')
const fixtures = path.resolve('test/fixtures/cost')

async function strato(args: string[], cwd?: string) {
  const home = mkdtempSync(path.join(tmpdir(), 'strato-home-'))
  const result = await execa(process.execPath, [bin, ...args], {
    cwd, reject: false, env: { NO_COLOR: '1', CI: '1', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') },
  })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }
}

describe('strato cost (built CLI)', () => {
  const hybrid = path.join(fixtures, 'hybrid/strato.yaml')

  it('prints the estimate and exits 0 within the manifest budget', async () => {
    const { stdout, exitCode } = await strato(['cost', '-f', hybrid])
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(/TOTAL\s+264\.55\s+264\.55\s+387\.04/)
    expect(stdout).toContain('is within the monthly budget of 500.00 USD.')
  })

  it('exits 3 over budget, with the numbers in the message', async () => {
    const { stderr, exitCode } = await strato(['cost', '-f', hybrid, '--budget', '250'])
    expect(exitCode).toBe(3)
    expect(stderr).toContain('The estimated monthly cost of 264.55 USD exceeds the monthly budget of 250.00 USD by 14.55 USD.')
  })

  it('exits 3 when month-to-date spend extrapolates past the budget, 0 when not', async () => {
    // aws.csv has 2.87 USD in November 2026; a past month is compared whole.
    const over = await strato(['cost', 'actual', '--focus', path.join(fixtures, 'focus/aws.csv'), '--budget', '2', '--json'], tmpdir())
    expect(over.exitCode).toBe(3)
    expect(JSON.parse(over.stdout).error.result.totals[0].amounts.BilledCost).toBe(2.87)
    const under = await strato(['cost', 'actual', '--focus', path.join(fixtures, 'focus/aws.csv'), '--budget', '100'], tmpdir())
    expect(under.exitCode).toBe(0)
  })

  it('exits 2 on a budget that is not a number', async () => {
    expect((await strato(['cost', '-f', hybrid, '--budget', 'lots'])).exitCode).toBe(2)
  })

  it('writes CSV and Markdown', async () => {
    const csv = await strato(['cost', '-f', hybrid, '--format', 'csv'])
    expect(csv.stdout.split(/\r?\n/)[0]).toBe('service,target,provider,item,sku,qty_min,qty_expected,qty_max,unit_price,price_unit,monthly_min,monthly_expected,monthly_max,currency')
    const markdown = await strato(['cost', '-f', hybrid, '--format', 'markdown'])
    expect(markdown.stdout).toContain('Expected monthly cost: **264.55 USD**')
  })

  it('diffs against a git ref', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-diff-'))
    const git = (...args: string[]) => execa('git', args, { cwd: dir, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } })
    await git('init', '-q', '-b', 'main')
    copyFileSync(path.join(fixtures, 'diff/base.yaml'), path.join(dir, 'strato.yaml'))
    await git('add', 'strato.yaml')
    await git('commit', '-q', '-m', 'base')
    copyFileSync(path.join(fixtures, 'diff/head.yaml'), path.join(dir, 'strato.yaml'))
    const { stdout, exitCode } = await strato(['cost', 'diff', '--base', 'main', '--format', 'markdown'], dir)
    expect(exitCode).toBe(0)
    expect(stdout).toContain('This change adds 25.46 USD per month (+31.9%): from 79.72 USD to 105.18 USD.')
    const missing = await strato(['cost', 'diff', '--base', 'no-such-branch'], dir)
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('Cannot read strato.yaml at "no-such-branch"')
  })

  it('diffs against another manifest file', async () => {
    const { stdout } = await strato(['cost', 'diff', '-f', path.join(fixtures, 'diff/head.yaml'), '--base', path.join(fixtures, 'diff/base.yaml'), '--json'])
    expect(JSON.parse(stdout).delta.expected).toBe(25.46)
  })

  it('stops on export rows that cannot be read, with the line and column, unless told to skip them', async () => {
    const file = path.join(fixtures, 'focus/malformed.csv')
    const stopped = await strato(['cost', 'actual', '--focus', file], tmpdir())
    expect(stopped.exitCode).toBe(2)
    expect(stopped.stderr).toContain(`Error: 5 rows of ${file} cannot be read; the first is line 3, column 1 (BilledCost): BilledCost "abc" is not a number.`)
    expect(stopped.stderr).toContain('line 10: a quoted field is never closed')
    const skipped = await strato(['cost', 'actual', '--focus', file, '--skip-bad-rows', '--metric', 'billed'], tmpdir())
    expect(skipped.exitCode).toBe(0)
    expect(skipped.stdout).toMatch(/TOTAL\s+11\.00\s+USD/)
    expect(skipped.stderr).toContain(`Skipped 5 bad rows of ${file} (--skip-bad-rows): they held 3.00 USD of BilledCost on 1 row`)
    expect(skipped.stdout).toContain('  line 4: has 5 fields, the header has 6')
  })

  it('reads CSV and Parquet exports to the same figures, grouped by any FOCUS column or tag', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-focus-'))
    const csv = writeSampleCsv(path.join(dir, 'sample.csv'))
    const parquet = writeSampleParquet(path.join(dir, 'sample.parquet'))
    const args = ['--by', 'ServiceName,tag:team', '--metric', 'billed,effective', '--json']
    const fromCsv = await strato(['cost', 'actual', '--focus', csv, ...args], dir)
    const fromParquet = await strato(['cost', 'actual', '--focus', parquet, ...args], dir)
    expect(fromCsv.exitCode).toBe(0)
    expect(fromParquet.exitCode).toBe(0)
    const json = JSON.parse(fromCsv.stdout)
    expect(JSON.parse(fromParquet.stdout).rows).toEqual(json.rows)
    const golden = expectedCents(SAMPLE, (row) => `${row.service}|${row.team ?? '-'}|${row.currency}`, (row) => row.billed)
    expect(Object.fromEntries(json.rows.map((row: { group: Record<string, string | null>; currency: string; amounts: { BilledCost: number } }) => [`${row.group.ServiceName}|${row.group['tag:team'] ?? '-'}|${row.currency}`, row.amounts.BilledCost]))).toEqual(golden)
    const table = await strato(['cost', 'actual', '--focus', csv, '--by', 'provider', '--metric', 'effective'], dir)
    expect(table.stdout).toMatch(/PROVIDER\s+PERIOD\s+EffectiveCost\s+CURRENCY/)
    expect(table.stdout).toContain('Figures: EffectiveCost (amortised: commitments spread over the usage they cover).')
  })

  it('exits 2 naming the file on every kind of bad input, never with a bug', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-bad-'))
    const csv = writeSampleCsv(path.join(dir, 'sample.csv'))
    const gz = gzipSync(sampleCsv())
    writeFileSync(path.join(dir, 'cut.csv.gz'), gz.subarray(0, gz.length - 30))
    writeFileSync(path.join(dir, 'fake.csv.gz'), 'not gzip')
    writeFileSync(path.join(dir, 'huge.csv'), sampleCsv().replace('0.547200,', '1e400,'))
    writeFileSync(path.join(dir, 'date.csv'), sampleCsv().replace('2026-11-01T13:00:00Z', '2024-13-45'))
    mkdirSync(path.join(dir, 'exports'))
    const cases: [string[], string][] = [
      [['--focus', path.join(dir, 'cut.csv.gz')], 'cut.csv.gz is not a complete gzip file'],
      [['--focus', path.join(dir, 'fake.csv.gz')], 'fake.csv.gz is named .gz but is not gzip-compressed'],
      [['--focus', path.join(dir, 'huge.csv')], 'huge.csv cannot be read: line 2, column 1 (BilledCost): BilledCost "1e400" is out of range'],
      [['--focus', path.join(dir, 'date.csv')], 'date.csv cannot be read: line 3, column 7 (ChargePeriodStart): ChargePeriodStart "2024-13-45" is not a date-time'],
      [['--focus', path.join(dir, 'exports')], 'exports is a directory'],
      [['--focus', csv, '--focus', csv], 'sample.csv is given twice'],
      [['--focus', csv, '--by', 'RegoinId'], 'Did you mean RegionId?'],
    ]
    for (const [args, message] of cases) {
      const { exitCode, stderr } = await strato(['cost', 'actual', ...args], dir)
      expect({ exitCode, bug: stderr.includes('Bug') }, args.join(' ')).toEqual({ exitCode: 2, bug: false })
      expect(stderr).toContain(message)
    }
  })

  it('says where a target\'s spend comes from when its provider does not report it, and carries on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-actual-'))
    writeFileSync(path.join(dir, 'strato.yaml'), 'name: shop\nservices:\n  web: { image: "local/node:24" }\ntargets:\n  gcp: { provider: gcp, project: acme-prod, zone: europe-west1-b }\n')
    const { stderr, exitCode } = await strato(['cost', 'actual'], dir)
    expect(exitCode).toBe(0)
    // a gcp target reports spend from its billing export; without one named, it needs no credentials to say so
    expect(stderr).toContain('target gcp: Actual spend of GCP target "gcp" without a billing export is not supported yet.')
  })

  it('refreshes prices from a price source into a file that estimates then use', async () => {
    // A local stand-in for the AWS Price List API, serving the recorded offer files.
    const server = createServer((request, response) => {
      const match = /^\/offers\/v1\.0\/aws\/(AmazonEC2|AWSELB)\/current\/eu-west-1\/index\.csv$/.exec(request.url ?? '')
      if (!match) return void response.writeHead(404).end()
      response.writeHead(200).end(readFileSync(path.join(fixtures, `prices/aws/${match[1]}-eu-west-1.csv`)))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'strato-prices-')), 'prices.json')
      const endpoint = `aws=http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const refresh = await strato(['cost', 'refresh-prices', '--provider', 'aws', '--region', 'eu-west-1', '--endpoint', endpoint, '--out', out, '--json'])
      expect(refresh.exitCode).toBe(0)
      expect(JSON.parse(refresh.stdout).regions[0]).toMatchObject({ provider: 'aws', region: 'eu-west-1', instances: 3 })
      const estimate = JSON.parse((await strato(['cost', '-f', hybrid, '--prices', out, '--json'])).stdout)
      expect(estimate.lines.find((line: { item: string; target: string }) => line.item === 'compute' && line.target === 'aws').unitPrice).toBe(0.0236)
      expect(estimate.catalog.source).toContain('AWS Price List API')
    } finally {
      server.close()
    }
  })
})
