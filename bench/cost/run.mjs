#!/usr/bin/env node
// Benchmark: `strato cost actual` on a 1,000,000-row FOCUS export shaped like the FinOps
// sample (bench/cost/generate.mjs), as CSV and as Parquet, side by side in the same run with
//   - awk summing BilledCost in one pass over the CSV (the floor for reading the file), and
//   - DuckDB (through @duckdb/node-api) answering the same question, BilledCost per day.
// Goals: strato on CSV at most 2x awk; strato on Parquet faster than on CSV; peak memory
// under 300 MB for every output format (table, csv, markdown, json).
//
//   npm run build && npm run bench -- cost [--lines N] [--runs N] [--keep DIR]
// Each timed program runs --runs times (default 3), in turn; the median wall time and the
// largest peak RSS (from /usr/bin/time -v) are reported.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateFocusExport } from './generate.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const lines = Number(option('--lines', 1_000_000))
const runs = Math.max(1, Number(option('--runs', 3)))
const keep = option('--keep', undefined)

if (!existsSync(path.join(root, 'dist/commands/cost/actual.js'))) {
  console.error('Build strato first: npm run build')
  process.exit(2)
}
if (!existsSync('/usr/bin/time')) {
  console.error('This benchmark measures with /usr/bin/time -v: apt-get install -y time')
  process.exit(2)
}

/** Runs a program under /usr/bin/time -v; returns its stdout, wall seconds and peak RSS in MB. */
function measure(file, argv) {
  const result = spawnSync('/usr/bin/time', ['-v', file, ...argv], { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 })
  if (result.status !== 0) throw new Error(`${file} ${argv.join(' ')} failed (${result.status}):\n${result.stderr}`)
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(result.stderr)
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)
  return { stdout: result.stdout, seconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]), peakMB: Number(rss[1]) / 1024 }
}

/** Median wall time, largest peak memory, the last run's output. */
function summarise(results) {
  const times = results.map((result) => result.seconds).sort((a, b) => a - b)
  return { stdout: results.at(-1).stdout, seconds: times[Math.floor(times.length / 2)], peakMB: Math.max(...results.map((result) => result.peakMB)), all: times }
}

const dir = keep ? path.resolve(keep) : mkdtempSync(path.join(os.tmpdir(), 'strato-bench-cost-'))
mkdirSync(dir, { recursive: true })
const csv = path.join(dir, `focus-${lines}.csv`)
const parquet = path.join(dir, `focus-${lines}.parquet`)
const node = process.execPath
const strato = (file, more = []) => [node, [path.join(root, 'bin/run.js'), 'cost', 'actual', '--focus', file, '--by', 'day', '--json', ...more]]
const total = (stdout) => JSON.parse(stdout).totals.reduce((sum, row) => sum + row.amounts.BilledCost, 0).toFixed(2)

try {
  if (!existsSync(csv) || !existsSync(parquet)) {
    const started = performance.now()
    await generateFocusExport(csv, lines)
    execFileSync(node, [path.join(here, 'duckdb-anchor.mjs'), '--to-parquet', csv, parquet])
    console.log(`Generated ${lines.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  console.log(`CSV ${(statSync(csv).size / 1e6).toFixed(0)} MB, Parquet ${(statSync(parquet).size / 1e6).toFixed(0)} MB: ${dir}`)
  // Warm the page cache so no program pays for the first read from disk.
  measure('awk', ['-F,', 'END {print NR}', csv])

  const programs = {
    awk: ['awk', ['-F,', 'NR > 1 {s += $2} END {printf "%.2f\\n", s}', csv]],
    'strato csv': strato(csv),
    'strato parquet': strato(parquet),
    'duckdb csv': [node, [path.join(here, 'duckdb-anchor.mjs'), csv]],
    'duckdb parquet': [node, [path.join(here, 'duckdb-anchor.mjs'), parquet]],
  }
  const results = Object.fromEntries(Object.keys(programs).map((name) => [name, []]))
  for (let run = 0; run < runs; run++) {
    for (const [name, [file, argv]] of Object.entries(programs)) results[name].push(measure(file, argv))
  }
  const figures = Object.fromEntries(Object.entries(results).map(([name, list]) => [name, summarise(list)]))
  // Memory for every output format, once each (default grouping: project, service, provider).
  const formats = {}
  for (const format of ['table', 'csv', 'markdown', 'json']) {
    const extra = format === 'json' ? ['--json'] : ['--format', format]
    formats[format] = measure(node, [path.join(root, 'bin/run.js'), 'cost', 'actual', '--focus', csv, ...extra])
  }

  const rows = [
    ['awk: sum BilledCost, CSV', figures.awk, figures.awk.stdout.trim()],
    ['strato --by day, CSV', figures['strato csv'], total(figures['strato csv'].stdout)],
    ['strato --by day, Parquet', figures['strato parquet'], total(figures['strato parquet'].stdout)],
    ['DuckDB by day, CSV', figures['duckdb csv'], figures['duckdb csv'].stdout.trim()],
    ['DuckDB by day, Parquet', figures['duckdb parquet'], figures['duckdb parquet'].stdout.trim()],
    ...Object.entries(formats).map(([format, result]) => [`strato ${format} output, CSV`, result, '']),
  ]
  console.log(`\n${'program'.padEnd(30)}${'wall s'.padStart(9)}${'peak MB'.padStart(10)}  BilledCost total`)
  for (const [name, result, sum] of rows) console.log(`${name.padEnd(30)}${result.seconds.toFixed(2).padStart(9)}${result.peakMB.toFixed(0).padStart(10)}  ${sum}`)
  console.log(`\nmedian of ${runs} runs each, in turn; wall s: ${Object.entries(figures).map(([name, result]) => `${name} ${result.all.map((t) => t.toFixed(2)).join('/')}`).join('; ')}`)
  console.log(`load average at the end: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} on ${os.cpus().length} cores; node ${process.version}; ${execFileSync('awk', ['-W', 'version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]}`)

  const ratio = figures['strato csv'].seconds / figures.awk.seconds
  const peak = Math.max(figures['strato csv'].peakMB, figures['strato parquet'].peakMB, ...Object.values(formats).map((result) => result.peakMB))
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL')
  console.log(`strato CSV / awk: ${ratio.toFixed(2)}x (goal <= 2x) ${verdict(ratio <= 2)}`)
  console.log(`strato Parquet / strato CSV: ${(figures['strato parquet'].seconds / figures['strato csv'].seconds).toFixed(2)}x (goal < 1x) ${verdict(figures['strato parquet'].seconds < figures['strato csv'].seconds)}`)
  console.log(`strato CSV / DuckDB CSV: ${(figures['strato csv'].seconds / figures['duckdb csv'].seconds).toFixed(2)}x; strato Parquet / DuckDB Parquet: ${(figures['strato parquet'].seconds / figures['duckdb parquet'].seconds).toFixed(2)}x`)
  console.log(`strato peak memory, every run and output format: ${peak.toFixed(0)} MB (goal < 300 MB) ${verdict(peak < 300)}`)
  const sums = [total(figures['strato csv'].stdout), total(figures['strato parquet'].stdout), figures['duckdb csv'].stdout.trim(), figures['duckdb parquet'].stdout.trim()]
  if (new Set(sums).size !== 1) console.log(`WARNING: totals differ: ${sums.join(', ')}`)
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true })
}
