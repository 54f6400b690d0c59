// strato cost as a CI step runs it: the built CLI, its exit codes and outputs.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'

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
    expect(JSON.parse(over.stdout).error.result.totals[0].amount).toBe(2.87)
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

  it('reports malformed export lines with their line numbers and still sums the rest', async () => {
    const { stdout, stderr, exitCode } = await strato(['cost', 'actual', '--focus', path.join(fixtures, 'focus/malformed.csv')], tmpdir())
    expect(exitCode).toBe(0)
    expect(stdout).toContain('6 malformed lines in')
    expect(stdout).toContain('line 10: a quoted field is never closed')
    expect(stderr).toContain('6 malformed line(s)')
  })

  it('says where a target\'s spend comes from when its provider does not report it, and carries on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-actual-'))
    writeFileSync(path.join(dir, 'strato.yaml'), 'name: shop\nservices:\n  web: { image: "local/node:24" }\ntargets:\n  gcp: { provider: gcp, project: acme-prod, zone: europe-west1-b }\n')
    const { stderr, exitCode } = await strato(['cost', 'actual'], dir)
    expect(exitCode).toBe(0)
    expect(stderr).toContain('target gcp: not included: GCP spend comes from FOCUS exports of the billing account (strato cost actual --focus)')
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
