#!/usr/bin/env node
// Benchmark: strato check vs Checkov and hadolint on a generated corpus of
// Dockerfiles and compose files with planted defects. Prints time, files per
// second, peak memory and findings side by side, findings per tool per rule,
// and the overlap with Checkov's and hadolint's Dockerfile checks.
//
//   node bench/check/run.mjs [--files 3000] [--seed 42] [--no-checkov] [--no-hadolint]
//
// Needs a built strato (npm run build) and, for the comparison, Checkov and
// hadolint in .venv/bench: bash scripts/setup-bench.sh
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { COMPOSE_DEFECTS, DOCKERFILE_DEFECTS, writeCorpus } from './corpus.mjs'
import { compareWithHadolint, HADOLINT_TO_STRATO, runHadolint } from './hadolint.mjs'

/** [line, count] for lines that differ only in their example, most frequent first. */
function groupCounts(lines) {
  const counts = new Map()
  const examples = new Map()
  for (const line of lines) {
    const group = line.replace(/ \(e\.g\. [^)]*\)$/, '')
    counts.set(group, (counts.get(group) ?? 0) + 1)
    if (!examples.has(group)) examples.set(group, line)
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([group, count]) => [examples.get(group), count])
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const fileCount = Number(option('files', '3000'))
const seed = Number(option('seed', '42'))
const venvBin = path.join(root, '.venv/bench/bin')
const checkovBin = path.join(venvBin, 'checkov')
const hadolintBin = path.join(venvBin, 'hadolint')
const withCheckov = !args.includes('--no-checkov')
const withHadolint = !args.includes('--no-hadolint')

/** Which strato rule covers each Checkov Dockerfile check. */
const CHECKOV_TO_STRATO = {
  CKV_DOCKER_1: ['DKR-010'], CKV_DOCKER_2: ['DKR-006'], CKV_DOCKER_3: ['DKR-001'], CKV_DOCKER_4: ['DKR-004', 'DKR-003'],
  CKV_DOCKER_5: ['DKR-008'], CKV_DOCKER_6: ['DKR-016'], CKV_DOCKER_7: ['DKR-002'], CKV_DOCKER_8: ['DKR-001'],
  CKV_DOCKER_9: ['DKR-013'], CKV_DOCKER_10: ['DKR-014'], CKV_DOCKER_11: ['DKR-015'], CKV2_DOCKER_1: ['DKR-011'],
  CKV2_DOCKER_17: ['DKR-017'],
}
for (let n = 2; n <= 16; n++) CHECKOV_TO_STRATO[`CKV2_DOCKER_${n}`] = ['DKR-012']

if (!existsSync(path.join(root, 'dist/commands/check/index.js'))) {
  console.error('strato is not built: run `npm run build` first.')
  process.exit(2)
}
// Run a snapshot of the build, so a rebuild in the working tree during the benchmark cannot pull it away.
const build = mkdtempSync(path.join(tmpdir(), 'strato-bench-build-'))
for (const entry of ['dist', 'bin', 'package.json', 'oclif.manifest.json']) cpSync(path.join(root, entry), path.join(build, entry), { recursive: true })
symlinkSync(path.join(root, 'node_modules'), path.join(build, 'node_modules'))
process.on('exit', () => rmSync(build, { recursive: true, force: true }))

/** Runs a command under GNU time: wall seconds and peak resident memory (MiB) of the process tree's largest member. */
async function measure(file, argv, options = {}) {
  const timing = path.join(mkdtempSync(path.join(tmpdir(), 'strato-bench-')), 'time.txt')
  const result = await execa('/usr/bin/time', ['-f', '%e %M', '-o', timing, file, ...argv], { reject: false, ...options })
  const [seconds, kib] = readFileSync(timing, 'utf8').trim().split(/\s+/).slice(-2).map(Number)
  return { seconds, mib: kib / 1024, result }
}

const corpus = path.join(tmpdir(), `strato-bench-check-${seed}-${fileCount}`)
const key = writeCorpus(corpus, fileCount, seed)
const dockerfiles = key.filter((entry) => entry.kind === 'dockerfile').length
console.log(`corpus: ${fileCount} files (${dockerfiles} Dockerfiles, ${fileCount - dockerfiles} compose files), seed ${seed}, in ${corpus}`)

// strato, as a user runs it: the built CLI, once to warm the compile cache, then the median of five runs.
const env = { ...process.env, NO_COLOR: '1' }
const median = (runs) => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]
async function runStrato(dir) {
  const stratoArgs = [path.join(build, 'bin/run.js'), 'check', '--dir', dir, '--format', 'json', '--fail-on', 'none', '--static-only']
  await execa(process.execPath, stratoArgs, { reject: false, env })
  const runs = []
  for (let run = 0; run < 5; run++) runs.push(await measure(process.execPath, stratoArgs, { env }))
  return median(runs)
}
const strato = await runStrato(corpus)
const dockerfileDir = path.join(corpus, 'dockerfiles')
const stratoDockerfiles = await runStrato(dockerfileDir)
if (strato.result.exitCode !== 0) {
  console.error(strato.result.stderr)
  process.exit(1)
}
const stratoReport = JSON.parse(strato.result.stdout)
const stratoByFile = new Map()
for (const finding of stratoReport.findings) {
  const file = finding.location.path
  if (!stratoByFile.has(file)) stratoByFile.set(file, new Set())
  stratoByFile.get(file).add(finding.ruleId)
}
// The scan alone, in this process: walking, reading, parsing and every rule, without Node's and oclif's start-up.
const { collectProjectFiles } = await import(path.join(build, 'dist/src/checks/project-files.js'))
const { runChecks } = await import(path.join(build, 'dist/src/checks/engine.js'))
const scanRuns = []
for (let run = 0; run < 5; run++) {
  const started = process.hrtime.bigint()
  runChecks({ files: collectProjectFiles(dockerfileDir), facts: [], skips: [] }, { today: new Date().toISOString().slice(0, 10) })
  scanRuns.push({ seconds: Number(process.hrtime.bigint() - started) / 1e9 })
}
const stratoScan = median(scanRuns)

// Ground truth: every planted defect must be reported on its file.
let planted = 0
let caught = 0
let dockerfilePlanted = 0
let dockerfileCaught = 0
const missedPlanted = []
for (const entry of key) {
  for (const defect of entry.planted) {
    planted++
    if (entry.kind === 'dockerfile') dockerfilePlanted++
    const rule = (entry.kind === 'compose' ? COMPOSE_DEFECTS : DOCKERFILE_DEFECTS)[defect]
    if (stratoByFile.get(entry.path)?.has(rule)) {
      caught++
      if (entry.kind === 'dockerfile') dockerfileCaught++
    } else missedPlanted.push(`${entry.path}: ${defect} (${rule})`)
  }
}

const rows = [['', 'strato', withCheckov ? 'Checkov' : '']]
const pad = (cells) => cells.map((cell, index) => String(cell).padEnd(index === 0 ? 34 : 16)).join('').trimEnd()
rows.push([`all ${fileCount} files`, '', ''])
rows.push(['  wall time, end to end (s)', strato.seconds.toFixed(2), ''])
rows.push(['  peak memory (MiB)', strato.mib.toFixed(0), ''])
rows.push(['  findings', stratoReport.findings.length, ''])
rows.push(['  planted defects found', `${caught}/${planted}`, ''])
rows.push([`the same ${dockerfiles} Dockerfiles`, '', ''])
rows.push(['  wall time, end to end (s)', stratoDockerfiles.seconds.toFixed(2), ''])
rows.push(['  scan only, without start-up (s)', stratoScan.seconds.toFixed(3), ''])
rows.push(['  peak memory (MiB)', stratoDockerfiles.mib.toFixed(0), ''])
rows.push(['  findings', JSON.parse(stratoDockerfiles.result.stdout).findings.length, ''])
rows.push(['  planted defects found', `${dockerfileCaught}/${dockerfilePlanted}`, ''])

let overlapLines = []
let checkovFailed = []
let checkovSeconds
if (withCheckov && existsSync(checkovBin)) {
  const checkovArgs = ['--framework', 'dockerfile', '-d', dockerfileDir, '-o', 'json', '--quiet', '--skip-download', '--compact']
  // Checkov would otherwise try to download its policy metadata; this machine has no internet for it.
  const checkovEnv = { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false' }
  // Start-up measured on an empty folder (this also warms the file cache for the real run).
  const checkovStartup = await measure(checkovBin, ['--framework', 'dockerfile', '-d', mkdtempSync(path.join(tmpdir(), 'checkov-empty-')), '-o', 'json', '--quiet', '--skip-download'], { env: checkovEnv })
  const checkov = await measure(checkovBin, checkovArgs, { env: checkovEnv, cwd: dockerfileDir })
  const parsed = JSON.parse(checkov.result.stdout || '{}')
  const reports = Array.isArray(parsed) ? parsed : [parsed]
  const failed = reports.flatMap((report) => report.results?.failed_checks ?? [])
  checkovFailed = failed
  checkovSeconds = checkov.seconds

  // Overlap: each (file, Checkov check) must have a strato finding of a mapped rule on the same file.
  const pairs = new Map()
  // Checkov names files relative to the folder it scanned.
  const fileOf = (check) => `dockerfiles/${check.file_path.replace(/^\//, '')}`
  for (const check of failed) pairs.set(`${fileOf(check)}\0${check.check_id}`, check)
  let covered = 0
  let truePairs = 0
  let trueCovered = 0
  const notCovered = []
  const plantedRules = new Map(key.map((entry) => [entry.path, new Set(entry.planted.map((defect) => DOCKERFILE_DEFECTS[defect]))]))
  const unmapped = new Set()
  const perCheck = new Map()
  for (const [pair, check] of pairs) {
    const [file, id] = pair.split('\0')
    const rules = CHECKOV_TO_STRATO[id]
    if (!rules) { unmapped.add(id); notCovered.push(`${file}: ${id} (no strato rule mapped)`); continue }
    const stats = perCheck.get(id) ?? { total: 0, covered: 0, rules }
    stats.total++
    // A Checkov failure is a real defect when the corpus planted the defect its strato rule stands for.
    const isPlanted = rules.some((rule) => plantedRules.get(file)?.has(rule))
    const reported = rules.some((rule) => stratoByFile.get(file)?.has(rule))
    if (isPlanted) truePairs++
    if (reported) { covered++; stats.covered++; if (isPlanted) trueCovered++ } else {
      const line = check.file_line_range[0]
      const text = readFileSync(path.join(corpus, file), 'utf8').split('\n')[line - 1] ?? ''
      notCovered.push(`${id} -> ${rules.join('/')}${isPlanted ? '' : ', not a planted defect'}: ${text.trim()} (e.g. ${file}:${line})`)
    }
    perCheck.set(id, stats)
  }
  const planted4Checkov = key.filter((entry) => entry.kind === 'dockerfile').flatMap((entry) => entry.planted.map((defect) => ({ entry, defect })))
  const checkovFinds = ({ entry, defect }) => Object.entries(CHECKOV_TO_STRATO)
    .some(([id, rules]) => rules.includes(DOCKERFILE_DEFECTS[defect]) && pairs.has(`${entry.path}\0${id}`))
  const checkovCaught = planted4Checkov.filter(checkovFinds).length
  // Per planted defect: how many each tool reports (Checkov has no check for some of them).
  const perDefect = Object.keys(DOCKERFILE_DEFECTS).map((defect) => {
    const cases = planted4Checkov.filter((item) => item.defect === defect)
    const byStrato = cases.filter(({ entry }) => stratoByFile.get(entry.path)?.has(DOCKERFILE_DEFECTS[defect])).length
    return `  ${defect.padEnd(16)} ${DOCKERFILE_DEFECTS[defect]}  planted ${String(cases.length).padStart(4)}  strato ${String(byStrato).padStart(4)}  Checkov ${String(cases.filter(checkovFinds).length).padStart(4)}`
  })

  rows[0][2] = 'Checkov'
  rows[1][2] = '(Dockerfiles only)'
  rows[6][2] = `(${reports.reduce((sum, report) => sum + (report.summary?.resource_count ?? 0), 0)} read)`
  rows[7][2] = checkov.seconds.toFixed(2)
  rows[8][2] = `${(checkov.seconds - checkovStartup.seconds).toFixed(2)} (run - empty run)`
  rows[9][2] = checkov.mib.toFixed(0)
  rows[10][2] = failed.length
  rows[11][2] = `${checkovCaught}/${planted4Checkov.length}`
  const speedup = checkov.seconds / stratoDockerfiles.seconds
  const netSpeedup = (checkov.seconds - checkovStartup.seconds) / stratoScan.seconds
  rows.push(['  speed-up, end to end', `${speedup.toFixed(1)}x`, ''])
  rows.push(['  speed-up, scan only', `${netSpeedup.toFixed(0)}x`, ''])
  overlapLines = [
    '',
    'planted Dockerfile defects, found by each tool:',
    ...perDefect,
    '',
    `overlap: strato reports ${covered} of the ${pairs.size} (file, check) failures Checkov's Dockerfile checks report (${((covered / Math.max(1, pairs.size)) * 100).toFixed(1)}%);`,
    `         of those that are planted defects, ${trueCovered} of ${truePairs} (${((trueCovered / Math.max(1, truePairs)) * 100).toFixed(1)}%)`,
    ...[...perCheck.entries()].sort().map(([id, stats]) => `  ${id.padEnd(15)} -> ${stats.rules.join('/').padEnd(17)} ${stats.covered}/${stats.total}`),
    ...(notCovered.length ? [`Checkov failures strato does not report (${notCovered.length}), grouped:`, ...groupCounts(notCovered).slice(0, 20).map(([line, count]) => `  ${count} x ${line}`)] : []),
    ...(unmapped.size ? [`Checkov checks without a strato rule: ${[...unmapped].join(', ')}`] : []),
  ]
} else if (withCheckov) {
  overlapLines = ['', `Checkov not found at ${checkovBin}: bash scripts/setup-bench.sh`]
}

// hadolint on the same Dockerfiles: time, files per second, and per rule what it and strato report.
const dockerfilePaths = key.filter((entry) => entry.kind === 'dockerfile').map((entry) => entry.path.replace(/^dockerfiles\//, ''))
const stratoDockerfileFindings = JSON.parse(stratoDockerfiles.result.stdout).findings.map((finding) => ({ ...finding, location: { ...finding.location, path: `dockerfiles/${finding.location.path}` } }))
let hadolintLines = []
let hadolintFindings = []
let hadolintSeconds
if (withHadolint && existsSync(hadolintBin)) {
  const hadolint = await runHadolint(measure, hadolintBin, dockerfilePaths, dockerfileDir)
  hadolintFindings = hadolint.findings
  hadolintSeconds = hadolint.seconds
  const perCode = compareWithHadolint(hadolint.findings, stratoDockerfileFindings, (file) => `dockerfiles/${file.replace(/^\.\//, '')}`)
  hadolintLines = [
    '',
    `hadolint ${(await execa(hadolintBin, ['--version'])).stdout.trim()} on the same ${dockerfiles} Dockerfiles: ${hadolint.seconds.toFixed(2)} s, ${(dockerfiles / hadolint.seconds).toFixed(0)} files/s, ${hadolint.mib.toFixed(0)} MiB, ${hadolint.findings.length} findings`,
    'hadolint rule -> strato rule   hadolint findings   strato on the same file   on the same line',
    ...[...perCode.entries()].sort().map(([code, stats]) => `  ${code.padEnd(8)} -> ${(stats.rule ?? '(none)').padEnd(10)} ${String(stats.total).padStart(16)} ${String(stats.sameFile).padStart(25)} ${String(stats.sameLine).padStart(18)}`),
  ]
} else if (withHadolint) {
  hadolintLines = ['', `hadolint not found at ${hadolintBin}: bash scripts/setup-bench.sh`]
}

// Findings per tool per strato rule, on the Dockerfiles: (file, rule) pairs, so tools that report once per file and once per line compare.
const pairsOf = (entries) => new Set(entries.filter(([rule]) => rule).map(([rule, file]) => `${rule}\0${file}`))
const stratoPairs = pairsOf(stratoDockerfileFindings.map((finding) => [finding.ruleId, finding.location.path]))
const hadolintPairs = pairsOf(hadolintFindings.map((finding) => [HADOLINT_TO_STRATO[finding.code], `dockerfiles/${finding.file.replace(/^\.\//, '')}`]))
const checkovPairs = pairsOf(checkovFailed.flatMap((check) => (CHECKOV_TO_STRATO[check.check_id] ?? []).slice(0, 1).map((rule) => [rule, `dockerfiles/${check.file_path.replace(/^\//, '')}`])))
const dockerfileRules = [...new Set([...stratoPairs, ...hadolintPairs, ...checkovPairs].map((pair) => pair.split('\0')[0]))].sort()
const count = (pairs, rule) => [...pairs].filter((pair) => pair.startsWith(`${rule}\0`)).length
const perRuleLines = [
  '',
  `files per second on the ${dockerfiles} Dockerfiles: strato ${(dockerfiles / stratoDockerfiles.seconds).toFixed(0)} end to end (${(dockerfiles / stratoScan.seconds).toFixed(0)} scan only)`
    + `${checkovSeconds ? `, Checkov ${(dockerfiles / checkovSeconds).toFixed(0)}` : ''}${hadolintSeconds ? `, hadolint ${(dockerfiles / hadolintSeconds).toFixed(0)}` : ''}`,
  'files flagged per rule (strato rule, or the strato rule a Checkov check or hadolint rule maps to):',
  `  ${'rule'.padEnd(9)} ${'strato'.padStart(7)} ${'Checkov'.padStart(8)} ${'hadolint'.padStart(9)}`,
  ...dockerfileRules.map((rule) => `  ${rule.padEnd(9)} ${String(count(stratoPairs, rule)).padStart(7)} ${String(count(checkovPairs, rule)).padStart(8)} ${String(count(hadolintPairs, rule)).padStart(9)}`),
]
overlapLines.push(...hadolintLines, ...perRuleLines)

console.log('')
for (const row of rows) console.log(pad(row))
for (const line of overlapLines) console.log(line)
if (missedPlanted.length) {
  console.log(`planted defects strato missed (${missedPlanted.length}):`)
  for (const line of missedPlanted.slice(0, 20)) console.log(`  ${line}`)
}
