#!/usr/bin/env node
// Benchmark: validating strato.yaml files of 2,500 and 20,000 services, valid and with half
// the services carrying a problem (bench/validate/generate.mjs). Prints, median of --runs:
//   - `strato validate` as a user runs it (the whole CLI process, start-up included);
//   - checkManifest in process, and the full reading with the `yaml` library's positioned
//     Document (checkPositioned: how every manifest was read before; same answers);
//   - side by side, PyYAML's C loader (libyaml) only parsing the same file, whole process,
//     and `node -e 0`, the floor of any Node process.
// Goal: `strato validate` of 20,000 services well under a second; time growing linearly.
//
//   npm run build && npm run bench -- validate [--runs 5]
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { execa } from 'execa'
import { manifestOf } from './generate.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const runs = Math.max(1, Number(args[args.indexOf('--runs') + 1] || 5) || 5)
if (!existsSync(path.join(root, 'dist/src/manifest/load.js')) || !existsSync(path.join(root, 'oclif.manifest.json'))) {
  console.error('strato is not built: run `npm run build` first.')
  process.exit(2)
}
const { checkManifest, checkPositioned } = await import(pathToFileURL(path.join(root, 'dist/src/manifest/load.js')).href)
const { descriptorOf } = await import(pathToFileURL(path.join(root, 'dist/providers/descriptors.js')).href)

const SIZES = [2500, 20_000]
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const work = mkdtempSync(path.join(tmpdir(), 'strato-bench-validate-'))
const cases = []
for (const count of SIZES) {
  for (const problems of [false, true]) {
    const dir = path.join(work, `${count}-${problems ? 'problems' : 'valid'}`)
    mkdirSync(dir)
    const text = manifestOf(count, { problems })
    writeFileSync(path.join(dir, 'strato.yaml'), text)
    cases.push({ count, problems, file: path.join(dir, 'strato.yaml'), text })
  }
}

/** Median wall milliseconds of a whole process; every run must exit as expected. */
async function processMs(file, argv, expectedExit, check = () => {}) {
  await execa(file, argv, { reject: false }) // warm the file cache
  const times = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    const result = await execa(file, argv, { reject: false, env: { NO_COLOR: '1' } })
    times.push(performance.now() - started)
    if (result.exitCode !== expectedExit) throw new Error(`${path.basename(file)} ${argv.join(' ')} exited ${result.exitCode}, expected ${expectedExit}:\n${result.stderr.slice(0, 2000)}`)
    check(result)
  }
  return median(times)
}

/** Median milliseconds of a function in this process, after one warm-up call. */
function inProcessMs(run) {
  run()
  const times = []
  for (let index = 0; index < runs; index++) {
    const started = performance.now()
    run()
    times.push(performance.now() - started)
  }
  return median(times)
}

const rows = []
const row = (name, measure) => rows.push({ name, times: SIZES.map(measure) })
const caseOf = (count, problems) => cases.find((item) => item.count === count && item.problems === problems)
const expectProblems = (count) => (result) => {
  const listed = result.stderr.split('\n').filter((line) => /strato\.yaml:\d+:\d+ services\.s\d+\.colour: unknown key/.test(line)).length
  if (listed !== count / 2) throw new Error(`expected ${count / 2} problems listed, got ${listed}`)
}
const cli = path.join(root, 'bin/run.js')
const results = new Map()
for (const item of cases) {
  const expected = item.problems ? 2 : 0
  results.set(item, {
    cli: await processMs(process.execPath, [cli, 'validate', '-f', item.file], expected, item.problems ? expectProblems(item.count) : () => {}),
    inProcess: inProcessMs(() => {
      const { problems } = checkManifest(item.text, 'strato.yaml', descriptorOf)
      if (problems.length !== (item.problems ? item.count / 2 : 0)) throw new Error(`checkManifest found ${problems.length} problems`)
    }),
    positioned: inProcessMs(() => checkPositioned(item.text, 'strato.yaml', descriptorOf)),
  })
}
for (const problems of [false, true]) {
  const kind = problems ? 'half with a problem' : 'valid'
  row(`strato validate, whole CLI, ${kind}`, (count) => results.get(caseOf(count, problems)).cli)
  row(`  checkManifest in process, ${kind}`, (count) => results.get(caseOf(count, problems)).inProcess)
  row(`  full yaml-library reading, ${kind}`, (count) => results.get(caseOf(count, problems)).positioned)
}

const python = '/usr/bin/python3'
const pyyaml = existsSync(python) && (await execa(python, ['-c', 'import yaml; yaml.CSafeLoader'], { reject: false })).exitCode === 0
if (pyyaml) {
  const load = 'import sys, yaml\nwith open(sys.argv[1]) as f: yaml.load(f, Loader=yaml.CSafeLoader)'
  const times = []
  for (const count of SIZES) times.push(await processMs(python, ['-c', load, caseOf(count, false).file], 0))
  rows.push({ name: 'PyYAML CSafeLoader, parse only, whole process', times })
} else {
  console.error('(PyYAML with libyaml is not installed; apt-get install python3-yaml to compare)')
}
const floor = await processMs(process.execPath, ['-e', '0'], 0)
rows.push({ name: 'node -e 0 (floor)', times: SIZES.map(() => floor) })
rmSync(work, { recursive: true, force: true })

const pad = (text, width) => String(text).padEnd(width)
const padStart = (text, width) => String(text).padStart(width)
console.log(`validate, Node ${process.version}, median of ${runs} runs (ms); ${SIZES.map((count) => `${count.toLocaleString('en-US')} services = ${(caseOf(count, false).text.length / 1e6).toFixed(1)} MB`).join(', ')}`)
console.log(`${pad('', 56)}${SIZES.map((count) => padStart(count.toLocaleString('en-US'), 10)).join('')}${padStart('growth', 10)}`)
for (const { name, times } of rows) {
  console.log(`${pad(name, 56)}${times.map((ms) => padStart(ms.toFixed(0), 10)).join('')}${padStart(`${(times[1] / times[0]).toFixed(1)}x`, 10)}`)
}
const largest = results.get(caseOf(20_000, false))
console.log('')
console.log(`services grow ${SIZES[1] / SIZES[0]}x; linear time grows about as much, quadratic ${(SIZES[1] / SIZES[0]) ** 2}x`)
console.log(`full yaml-library reading / checkManifest, 20,000 valid: ${(largest.positioned / largest.inProcess).toFixed(1)}x`)
console.log(`target: strato validate of 20,000 services under 1,000 ms: ${largest.cli < 1000 ? 'met' : 'NOT met'} (${largest.cli.toFixed(0)} ms)`)
