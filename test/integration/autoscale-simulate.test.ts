// `strato autoscale simulate` as a user runs it: load-tool traces (gzipped too), --compare, --chart, --json, errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { DOMParser } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import { root, strato, stratoJson } from '../helpers/strato.js'

const dir = mkdtempSync(path.join(tmpdir(), 'strato-simulate-'))
const manifest = path.join(root, 'bench/autoscale/strato.yaml')
const fixtures = path.join(root, 'test/fixtures/autoscale')

interface Report {
  service: string
  trace: { format: string; points: number }
  targets: { target: string; max?: number }[]
  runs: { name: string; summary: { scaleEvents: number; flaps: number; unserved: number; cost?: number }; steps: { replicas: Record<string, number> }[] }[]
  chart?: string
}

describe('strato autoscale simulate', () => {
  it('reads a gzipped k6 CSV output and places replicas on-prem first', async () => {
    const gz = path.join(dir, 'k6-results.csv.gz')
    writeFileSync(gz, gzipSync(readFileSync(path.join(fixtures, 'k6-results.csv'))))
    const report = await stratoJson<Report>(['autoscale', 'simulate', '-f', manifest, '--trace', gz, '--per-replica', '1', '--interval', '30'])
    expect(report.service).toBe('orders')
    expect(report.trace).toMatchObject({ format: 'k6-csv', points: 3 })
    expect(report.targets.map((entry) => [entry.target, entry.max])).toEqual([['onprem', 6], ['aws', 30]])
    expect(report.runs.map((run) => run.name)).toEqual(['manifest'])
    expect(report.runs[0].steps[0].replicas).toEqual({ onprem: 3, aws: 0 })
  })

  it('compares the policies on a Locust history, ends with a sparkline row and writes a chart', async () => {
    const chart = path.join(dir, 'locust.svg')
    const result = await strato(['autoscale', 'simulate', '-f', manifest, '--trace', path.join(fixtures, 'locust_stats_history.csv'), '--per-replica', '1', '--compare', '--chart', chart])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stderr).toContain(`Chart written to ${chart}`)
    const lines = result.stdout.split('\n')
    expect(lines.find((line) => line.startsWith('POLICY'))).toMatch(/^POLICY +UNSERVED +MIN>80% +EVENTS +FLAPS +ONPREM R-H +AWS R-H +COST USD +REPLICAS$/)
    expect(lines.filter((line) => /^(manifest|threshold|steps|target-tracking) /.test(line))).toHaveLength(4)
    expect(lines[lines.length - 1]).toMatch(/^load \(rps\) +[▁▂▃▄▅▆▇█]+$/)
    const svg = new DOMParser().parseFromString(readFileSync(chart, 'utf8'), 'image/svg+xml')
    expect(svg.documentElement?.tagName).toBe('svg')
  })

  it('refuses a trace it cannot read with a usage error that names the line', async () => {
    const bad = path.join(dir, 'bad.csv')
    writeFileSync(bad, 'seconds,rps\n0,10\n60,lots\n')
    const result = await strato(['autoscale', 'simulate', '-f', manifest, '--trace', bad])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(`Error: ${bad} line 3: expected "seconds,rps" with numbers (rps 0 or more), got "60,lots".`)
    const missing = await strato(['autoscale', 'simulate', '-f', manifest, '--trace', path.join(dir, 'nope.csv'), '--json'])
    expect(missing.exitCode).toBe(2)
    expect(JSON.parse(missing.stdout).error).toMatchObject({ kind: 'user', message: `Cannot read the trace ${path.join(dir, 'nope.csv')} (ENOENT).` })
  })
})
