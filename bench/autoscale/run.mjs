#!/usr/bin/env node
// Benchmark: the autoscaling policies on three shipped load traces (a diurnal
// day, a flash spike x8 within one minute, a slow ramp), replayed by the built
// CLI (`strato autoscale simulate --compare --json`) through the hybrid fleet
// in bench/autoscale/strato.yaml: six replicas on-prem first, then AWS.
// The anchor is the classic threshold rule (cpu > 80% +1, < 30% -1).
// Goals, for the manifest's policy:
//   - scale-out begins within one evaluation period of the spike;
//   - no flaps on any trace;
//   - fewer requests not served than the threshold rule, at no more replica-hours.
//
//   node bench/autoscale/run.mjs [--chart DIR]   (DIR gets one SVG per trace)
// The traces are written by bench/autoscale/make-traces.mjs (seeded: the same every time).
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const args = process.argv.slice(2)
const chartDir = args.includes('--chart') ? path.resolve(args[args.indexOf('--chart') + 1]) : undefined
const interval = 15
const warmup = 'onprem=10,aws=60'
const traces = [
  { name: 'diurnal', file: 'diurnal.csv' },
  { name: 'flash-spike', file: 'flash-spike.csv', spikeAt: 1800 },
  { name: 'slow-ramp', file: 'slow-ramp.csv' },
]

if (!existsSync(path.join(root, 'dist/commands/autoscale/simulate.js'))) {
  console.error('Build strato first: npm run build')
  process.exit(2)
}
if (chartDir) mkdirSync(chartDir, { recursive: true })

const pad = (text, width, right = false) => (right ? String(text).padStart(width) : String(text).padEnd(width))
const sum = (values) => values.reduce((total, value) => total + value, 0)
const goals = []

console.log(`strato autoscale simulate --compare: evaluation every ${interval}s, warm-up ${warmup}, one replica serves 100 req/s`)
for (const trace of traces) {
  const argv = ['autoscale', 'simulate', '--compare', '--json', '-f', path.join(here, 'strato.yaml'), '--trace', path.join(here, 'traces', trace.file), '--per-replica', '100', '--interval', String(interval), '--warmup', warmup]
  if (chartDir) argv.push('--chart', path.join(chartDir, `${trace.name}.svg`))
  const started = performance.now()
  const result = await execa(process.execPath, [path.join(root, 'bin/run.js'), ...argv], { env: { ...process.env, NO_COLOR: '1' }, reject: false })
  const ms = Math.round(performance.now() - started)
  if (result.exitCode !== 0) {
    console.error(`strato failed on ${trace.file} (${result.exitCode}):\n${result.stderr}`)
    process.exit(1)
  }
  const report = JSON.parse(result.stdout)
  const targets = report.targets.map((entry) => entry.target)
  console.log(`\n${trace.name} (${report.trace.points} minutes; ${ms} ms for the four policies)`)
  console.log([pad('policy', 16), pad('unserved', 10, true), pad(`min>${report.sloCpu}%`, 8, true), pad('events', 7, true), pad('flaps', 6, true), ...targets.map((name) => pad(`${name} r-h`, 11, true)), pad('total r-h', 10, true), pad(`cost ${report.currency}`, 9, true)].join('  '))
  for (const run of report.runs) {
    const s = run.summary
    console.log([pad(run.name, 16), pad(s.unserved, 10, true), pad(s.minutesOverSlo, 8, true), pad(s.scaleEvents, 7, true), pad(s.flaps, 6, true), ...targets.map((name) => pad(s.replicaHours[name], 11, true)), pad(sum(Object.values(s.replicaHours)).toFixed(2), 10, true), pad(s.cost ?? 'unknown', 9, true)].join('  '))
  }
  const manifest = report.runs.find((run) => run.name === 'manifest')
  const threshold = report.runs.find((run) => run.name === 'threshold')
  const hours = (run) => sum(Object.values(run.summary.replicaHours))
  goals.push({ goal: `${trace.name}: no flaps`, met: manifest.summary.flaps === 0, figure: `${manifest.summary.flaps} flaps` })
  // Where neither loses a request there is nothing fewer to have: none counts as met.
  const fewer = manifest.summary.unserved < threshold.summary.unserved || manifest.summary.unserved === 0
  goals.push({
    goal: `${trace.name}: fewer unserved than threshold at no more replica-hours`,
    met: fewer && hours(manifest) <= hours(threshold),
    figure: `unserved ${manifest.summary.unserved} vs ${threshold.summary.unserved}; replica-hours ${hours(manifest).toFixed(2)} vs ${hours(threshold).toFixed(2)}; minutes over ${report.sloCpu}% CPU ${manifest.summary.minutesOverSlo} vs ${threshold.summary.minutesOverSlo}`,
  })
  if (trace.spikeAt !== undefined) {
    const first = manifest.steps.find((step) => step.at >= trace.spikeAt && step.action === 'scale-out')
    const after = first ? first.at + first.seconds - trace.spikeAt : undefined
    goals.push({ goal: `${trace.name}: scale-out within one evaluation period (${interval}s) of the spike`, met: after !== undefined && after <= interval, figure: after === undefined ? 'no scale-out' : `${after}s after it began` })
  }
}

console.log('\ngoals (manifest policy)')
for (const { goal, met, figure } of goals) console.log(`  ${met ? 'met   ' : 'MISSED'}  ${goal}: ${figure}`)
if (chartDir) console.log(`\ncharts in ${chartDir}`)
