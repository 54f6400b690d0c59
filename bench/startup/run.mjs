// Cold start of strato commands, median of N runs, side by side with the
// aws and az CLIs in the same run; also counts the modules each strato
// command loads, to show that no cloud SDK loads for a command that does not use one.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'

const runs = Number(process.env.RUNS ?? 20)
const repo = new URL('../../', import.meta.url).pathname
const bin = path.join(repo, 'bin/run.js')
const node = process.execPath

if (!existsSync(path.join(repo, 'dist/commands')) || !existsSync(path.join(repo, 'oclif.manifest.json'))) {
  console.error('Build first: npm run build')
  process.exit(2)
}

const strato = (args) => ({ file: node, args: [bin, ...args] })
const cases = [
  { name: 'strato --help', ...strato(['--help']), modules: ['--help'] },
  { name: 'strato capacity --rps 5000 ...', ...strato(['capacity', '--rps', '5000', '--per-replica', '800', '--target-util', '0.7']), modules: ['capacity', '--rps', '5000', '--per-replica', '800', '--target-util', '0.7'] },
  { name: 'strato new --help', ...strato(['new', '--help']), modules: ['new', '--help'] },
  { name: 'strato validate --help', ...strato(['validate', '--help']), modules: ['validate', '--help'] },
  { name: 'node -e 0 (floor)', file: node, args: ['-e', '0'] },
]
for (const [name, file, args] of [['aws --version', '/usr/bin/aws', ['--version']], ['az version', '/usr/bin/az', ['version']]]) {
  if (existsSync(file)) cases.push({ name, file, args })
  else console.error(`(${name}: ${file} not installed; apt-get install ${name.startsWith('aws') ? 'awscli' : 'azure-cli'} to compare)`)
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const env = { ...process.env, NO_COLOR: '1', CI: '1' }
const results = []
for (const item of cases) {
  await execa(item.file, item.args, { env, reject: false }) // warm the file cache
  const times = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    const result = await execa(item.file, item.args, { env, reject: false })
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    if (result.exitCode !== 0) throw new Error(`${item.name} exited ${result.exitCode}: ${result.stderr}`)
  }
  results.push({ name: item.name, median: median(times), min: Math.min(...times), max: Math.max(...times) })
}

const dir = mkdtempSync(path.join(tmpdir(), 'strato-bench-'))
const moduleCounts = []
for (const item of cases.filter((c) => c.modules)) {
  const log = path.join(dir, `${moduleCounts.length}.txt`)
  await execa(node, ['--import', new URL('./count-modules.mjs', import.meta.url).href, bin, ...item.modules], {
    env: { ...env, STRATO_MODULE_LOG: log }, reject: false,
  })
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean)
  const sdk = urls.filter((url) => /node_modules\/(@aws-sdk|@smithy|@azure|@google-cloud|dockerode)\//.test(url))
  moduleCounts.push({ name: item.name, modules: urls.length, cloudSdkModules: sdk.length })
}

const pad = (text, width) => String(text).padEnd(width)
console.log(`startup, Node ${process.version}, median of ${runs} runs (ms)`)
console.log(`${pad('command', 34)}${pad('median', 10)}${pad('min', 10)}max`)
for (const r of results) console.log(`${pad(r.name, 34)}${pad(r.median.toFixed(1), 10)}${pad(r.min.toFixed(1), 10)}${r.max.toFixed(1)}`)
const help = results.find((r) => r.name === 'strato --help')
const aws = results.find((r) => r.name === 'aws --version')
const az = results.find((r) => r.name === 'az version')
console.log('')
if (aws) console.log(`aws --version / strato --help: ${(aws.median / help.median).toFixed(2)}x`)
if (az) console.log(`az version / strato --help:    ${(az.median / help.median).toFixed(2)}x`)
console.log(`target: strato --help <= 100 ms median: ${help.median <= 100 ? 'met' : 'NOT met'}; >= 3x faster than aws --version: ${aws ? (aws.median / help.median >= 3 ? 'met' : 'NOT met') : 'n/a'}`)
console.log('')
console.log(`${pad('modules loaded by', 34)}${pad('total', 10)}cloud SDK`)
for (const m of moduleCounts) console.log(`${pad(m.name, 34)}${pad(m.modules, 10)}${m.cloudSdkModules}`)
if (process.argv.includes('--json')) console.log(JSON.stringify({ results, moduleCounts }))
