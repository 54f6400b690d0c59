#!/usr/bin/env node
// Benchmark: aggregate a 1,000,000-line FOCUS CSV export by service and day
// with strato (the built CLI: `strato cost actual --focus FILE --by day --json`),
// side by side with a plain awk summing the same column, the floor for one pass
// over the file. Targets: within 3x awk's time, peak memory under 300 MB.
//
//   node bench/cost/run.mjs [--lines N] [--runs N] [--keep]
// Each program runs --runs times (default 3), alternating; the median wall time
// and the largest peak RSS are reported.
//   node bench/cost/run.mjs --generate-only FILE [--lines N]   (just write the export)
//   node bench/cost/run.mjs --root DIR   (measure the strato installed or built in DIR)
//
// Needs a build (npm run build) and /usr/bin/time (Debian package "time").
import { execFileSync, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { seededRandom } from '../seeded-random.mjs'

const args = process.argv.slice(2)
const root = args.includes('--root') ? path.resolve(args[args.indexOf('--root') + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const lines = Number(args[args.indexOf('--lines') + 1] || 1_000_000) || 1_000_000
const keep = args.includes('--keep')
const runs = Math.max(1, Number(args[args.indexOf('--runs') + 1]) || 3)

const only = args.indexOf('--generate-only')

if (only < 0 && !existsSync(path.join(root, 'dist/commands/cost/actual.js'))) {
  console.error('Build strato first: npm run build')
  process.exit(2)
}
if (only < 0 && !existsSync('/usr/bin/time')) {
  console.error('This benchmark measures with /usr/bin/time -v: apt-get install -y time')
  process.exit(2)
}


const HEADER = 'BilledCost,BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,ChargeDescription,ChargePeriodEnd,ChargePeriodStart,EffectiveCost,ListCost,ProviderName,RegionId,ResourceId,ServiceCategory,ServiceName,SubAccountId,Tags,x_Operation,x_ServiceCode,x_UsageType'
const SERVICES = ['users', 'orders', 'payments', 'search', 'catalog', 'cart', 'auth', 'mailer']
const AWS_SERVICES = [
  ['Amazon Elastic Compute Cloud', 'AmazonEC2', 'Compute', 'EU-BoxUsage:t3.small', 'RunInstances', '"$0.0228 per On Demand Linux t3.small Instance Hour"'],
  ['Elastic Load Balancing', 'AWSELB', 'Networking', 'EU-LoadBalancerUsage', 'LoadBalancing:Application', '"LoadBalancerUsage, per hour (or partial hour)"'],
  ['Amazon Elastic Compute Cloud', 'AmazonEC2', 'Storage', 'EU-EBS:VolumeUsage.gp3', 'CreateVolume-Gp3', '"$0.088 per GB-month of General Purpose (gp3) provisioned storage"'],
]

async function generate(file) {
  const random = seededRandom(42) // the same file on every run
  const out = createWriteStream(file, { highWaterMark: 1 << 20 })
  const write = (text) => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)))
  await write(`${HEADER}\n`)
  let batch = []
  for (let i = 0; i < lines; i++) {
    const day = 1 + (i % 30)
    const date = `2026-11-${String(day).padStart(2, '0')}T00:00:00.000Z`
    const end = day === 30 ? '2026-12-01T00:00:00.000Z' : `2026-11-${String(day + 1).padStart(2, '0')}T00:00:00.000Z`
    const cost = (random() * 2).toFixed(10)
    const [serviceName, code, category, usage, operation, description] = AWS_SERVICES[Math.floor(random() * AWS_SERVICES.length)]
    const untagged = random() < 0.1
    const service = SERVICES[Math.floor(random() * SERVICES.length)]
    const tags = untagged ? '{}' : `"{""user:strato.project"":""shop"",""user:strato.service"":""${service}"",""user:env"":""prod""}"`
    const resource = `i-${(Math.floor(random() * 0xffffff)).toString(16).padStart(6, '0')}`
    batch.push(`${cost},111122223333,USD,2026-11-01T00:00:00.000Z,Usage,${description},${end},${date},${cost},${cost},AWS,eu-west-1,${resource},${category},${serviceName},111122223333,${tags},${operation},${code},${usage}`)
    if (batch.length === 10_000) {
      await write(`${batch.join('\n')}\n`)
      batch = []
    }
  }
  if (batch.length) await write(`${batch.join('\n')}\n`)
  await new Promise((resolve) => out.end(resolve))
}

/** Runs a program under /usr/bin/time -v; returns its stdout, wall seconds and peak RSS in MB. */
function measure(file, argv) {
  const result = spawnSync('/usr/bin/time', ['-v', file, ...argv], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
  if (result.status !== 0) throw new Error(`${file} ${argv.join(' ')} failed (${result.status}):\n${result.stderr}`)
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(result.stderr)
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])
  return { stdout: result.stdout, seconds, peakMB: Number(rss[1]) / 1024 }
}

if (only >= 0) {
  await generate(path.resolve(args[only + 1]))
  process.exit(0)
}

/** Median wall time, largest peak memory, the last run's output. */
function summarise(results) {
  const times = results.map((result) => result.seconds).sort((a, b) => a - b)
  return { stdout: results.at(-1).stdout, seconds: times[Math.floor(times.length / 2)], peakMB: Math.max(...results.map((result) => result.peakMB)), all: times }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'strato-bench-cost-'))
const file = path.join(dir, 'focus.csv')
try {
  const started = performance.now()
  await generate(file)
  const size = statSync(file).size
  console.log(`Generated ${lines.toLocaleString('en')} lines (${(size / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s: ${file}`)
  const awkVersion = execFileSync('awk', ['-W', 'version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]

  // Warm the page cache so neither side pays for the first read from disk.
  measure('awk', ['-F,', 'END {print NR}', file])
  const awkRuns = []
  const stratoRuns = []
  for (let run = 0; run < runs; run++) {
    awkRuns.push(measure('awk', ['-F,', 'NR > 1 {s += $1} END {printf "%.2f\\n", s}', file]))
    stratoRuns.push(measure(process.execPath, ['bin/run.js', 'cost', 'actual', '--focus', file, '--by', 'day', '--json']))
  }
  const awk = summarise(awkRuns)
  const strato = summarise(stratoRuns)
  const result = JSON.parse(strato.stdout)
  const total = result.totals[0].amount

  const rows = [
    ['awk (sum BilledCost)', awk.seconds, awk.peakMB, awk.stdout.trim()],
    ['strato cost actual --by day', strato.seconds, strato.peakMB, total.toFixed(2)],
  ]
  console.log(`\n${'program'.padEnd(30)}${'wall s'.padStart(9)}${'peak MB'.padStart(10)}  total`)
  for (const [name, seconds, peak, sum] of rows) console.log(`${name.padEnd(30)}${seconds.toFixed(2).padStart(9)}${peak.toFixed(0).padStart(10)}  ${sum}`)
  const ratio = strato.seconds / awk.seconds
  console.log(`\nmedian of ${runs} runs each (wall s: awk ${awk.all.map((t) => t.toFixed(2)).join(', ')}; strato ${strato.all.map((t) => t.toFixed(2)).join(', ')})`)
  console.log(`load average at the end: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} on ${os.cpus().length} cores`)
  console.log(`awk: ${awkVersion}; node: ${process.version}; ${result.rows.length} groups (service x day); malformed lines: ${result.sources[0].malformed.count}`)
  console.log(`time ratio strato/awk: ${ratio.toFixed(2)}x (target <= 3x) ${ratio <= 3 ? 'PASS' : 'FAIL'}`)
  console.log(`strato peak memory: ${strato.peakMB.toFixed(0)} MB (target < 300 MB) ${strato.peakMB < 300 ? 'PASS' : 'FAIL'}`)
  if (Math.abs(Number(awk.stdout) - total) > 0.05) console.log(`WARNING: totals differ (awk ${awk.stdout.trim()}, strato ${total}); awk sums in floating point`)
} finally {
  if (keep) console.log(`kept ${file}`)
  else rmSync(dir, { recursive: true, force: true })
}
