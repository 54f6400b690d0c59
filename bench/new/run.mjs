#!/usr/bin/env node
// Benchmark: how long scaffolding the shop takes. Prints, for every flag
// combination (runtime x db x cache x replica x algorithm = 64), the time to
// render the starter repo in memory, and the wall time of the whole CLI run
// (`node bin/run.js new`, start-up included) for the default and the largest
// combination.
//
//   node bench/new/run.mjs [--runs 15]
//
// Needs a built strato (npm run build).
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { execa } from 'execa'

const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] || 15) || 15
if (!existsSync(path.join(checkout, 'dist/src/scaffold/shop.js'))) {
  console.error('strato is not built: run `npm run build` first.')
  process.exit(2)
}
// Measure a copy of the built CLI, so a rebuild of the working tree during the run cannot pull it away.
const root = mkdtempSync(path.join(tmpdir(), 'strato-bench-cli-'))
for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json', 'templates']) {
  if (existsSync(path.join(checkout, entry))) cpSync(path.join(checkout, entry), path.join(root, entry), { recursive: true })
}
symlinkSync(path.join(checkout, 'node_modules'), path.join(root, 'node_modules'))
const load = (file) => import(pathToFileURL(path.join(root, 'dist/src/scaffold', file)).href)
const { renderShop } = await load('shop.js')
const { resolveShopOptions } = await load('options.js')
const { readTemplateTree, templatesRoot } = await load('template-tree.js')
const { descriptorOf } = await import(pathToFileURL(path.join(root, 'dist/providers/descriptors.js')).href)

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

let started = performance.now()
const templates = readTemplateTree(templatesRoot())
const readMs = performance.now() - started

const combos = []
for (const runtime of ['node', 'python']) for (const db of ['postgres', 'mysql']) for (const cache of [false, true])
  for (const readReplica of [false, true]) for (const lb of ['round-robin', 'least-conn', 'weighted', 'consistent-hash'])
    combos.push({ name: 'shop', runtime, db, cache, readReplica, lb })

const renderTimes = []
let files = 0
let bytes = 0
for (let round = 0; round < runs; round++) {
  for (const raw of combos) {
    started = performance.now()
    const tree = renderShop(resolveShopOptions(raw), templates, descriptorOf, { version: '0.0.0' })
    renderTimes.push(performance.now() - started)
    if (round === 0) {
      files += Object.keys(tree).length
      bytes += Object.values(tree).reduce((sum, text) => sum + text.length, 0)
    }
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'strato-bench-new-'))
async function cliMedian(flags) {
  const times = []
  for (let run = 0; run < runs; run++) {
    const dir = path.join(work, `run-${run}`)
    started = performance.now()
    await execa(process.execPath, [path.join(root, 'bin/run.js'), 'new', 'shop', '--dir', dir, ...flags], { env: { CI: '1' } })
    times.push(performance.now() - started)
    rmSync(dir, { recursive: true, force: true })
  }
  return median(times)
}
const cliDefault = await cliMedian([])
const cliLargest = await cliMedian(['--runtime', 'python', '--db', 'mysql', '--cache', '--read-replica', '--lb', 'consistent-hash', '--target', 'docker', '--target', 'aws', '--target', 'azure', '--target', 'gcp'])
rmSync(work, { recursive: true, force: true })
rmSync(root, { recursive: true, force: true })

console.log(`strato new benchmark (${runs} runs, Node ${process.version})`)
console.log(`  templates read from disk            ${readMs.toFixed(1)} ms (${Object.keys(templates).length} files)`)
console.log(`  render, median over ${combos.length} combinations   ${median(renderTimes).toFixed(2)} ms (${(files / combos.length).toFixed(0)} files, ${(bytes / combos.length / 1024).toFixed(0)} KiB per repo)`)
console.log(`  render, slowest                     ${Math.max(...renderTimes).toFixed(2)} ms`)
console.log(`  CLI wall time, default              ${cliDefault.toFixed(0)} ms (median)`)
console.log(`  CLI wall time, largest combination  ${cliLargest.toFixed(0)} ms (median)`)
