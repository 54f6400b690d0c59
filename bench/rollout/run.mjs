#!/usr/bin/env node
// Rollout benchmark: 3 services x 3 replicas of a small HTTP app behind nginx,
// a load generator sending a fixed request rate through the balancer while a
// new version rolls out. Prints strato's rollout time and failed requests side
// by side with docker-compose (v1) recreating the same services behind the
// same nginx. Needs a Docker engine and the local base images
// (scripts/setup-docker.sh, scripts/base-images.sh) and a built CLI (npm run build).
//
//   node bench/rollout/run.mjs [--rps 60] [--keep]
import { cpSync, existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { execa } from 'execa'

const root = path.resolve(import.meta.dirname, '../..')
const { values } = parseArgs({ options: { rps: { type: 'string', default: '60' }, keep: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } } })
const rps = Number(values.rps)
const SERVICES = ['alpha', 'beta', 'gamma']
const REPLICAS = 3

/** A copy of the built CLI, so a rebuild of the tree during the run cannot remove it. */
function cliCopy() {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-bench-cli-'))
  for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true })
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  return path.join(dir, 'bin/run.js')
}
if (!existsSync(path.join(root, 'dist/commands/deploy.js'))) throw new Error('Build strato first: npm run build')
const cli = cliCopy()

function log(message) {
  process.stderr.write(`${message}\n`)
}

function project(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `strato-bench-${name}-`))
  cpSync(path.join(root, 'test/fixtures/docker/app'), path.join(dir, 'app'), { recursive: true })
  return dir
}

const setRelease = (dir, text) => writeFileSync(path.join(dir, 'app/release.txt'), `${text}\n`)

/** Fixed-rate load over several URLs; every non-2xx or network error is a failure. */
function startLoad(urls, perSecond) {
  const report = { ok: 0, failed: 0, errors: new Map() }
  const inFlight = new Set()
  let running = true
  let index = 0
  const loop = (async () => {
    let next = performance.now()
    while (running) {
      const url = urls[index++ % urls.length]
      const request = fetch(url, { signal: AbortSignal.timeout(5000) })
        .then(async (response) => {
          await response.arrayBuffer()
          if (response.ok) report.ok++
          else { report.failed++; report.errors.set(`HTTP ${response.status}`, (report.errors.get(`HTTP ${response.status}`) ?? 0) + 1) }
        }, (error) => { report.failed++; const key = error.cause?.code ?? error.name; report.errors.set(key, (report.errors.get(key) ?? 0) + 1) })
        .finally(() => inFlight.delete(request))
      inFlight.add(request)
      next += 1000 / perSecond
      await sleep(Math.max(0, next - performance.now()))
    }
  })()
  return { async stop() { running = false; await loop; await Promise.all(inFlight); return report } }
}

async function timed(label, load, work) {
  const started = performance.now()
  await work()
  const seconds = (performance.now() - started) / 1000
  const report = await load.stop()
  log(`${label}: ${seconds.toFixed(1)} s, ${report.ok} ok, ${report.failed} failed ${report.failed ? JSON.stringify(Object.fromEntries(report.errors)) : ''}`)
  return { seconds, ...report }
}

async function waitAnswering(urls, text) {
  for (let attempt = 0; attempt < 120; attempt++) {
    const bodies = await Promise.all(urls.map((url) => fetch(url).then((r) => r.text(), () => '')))
    if (bodies.every((body) => body.startsWith(text))) return
    await sleep(500)
  }
  throw new Error(`the services never answered with ${text}`)
}

// --- strato -------------------------------------------------------------
async function benchStrato() {
  const dir = project('strato')
  const base = 19080
  writeFileSync(path.join(dir, 'strato.yaml'), [
    'name: benchstrato',
    'services:',
    ...SERVICES.map((name) => `  ${name}: { build: ./app, port: 3000, health: /healthz, replicas: ${REPLICAS} }`),
    `loadBalancer: { algorithm: round-robin, port: ${base} }`,
    '',
  ].join('\n'))
  const env = { ...process.env, STRATO_IMAGE_MAP: path.join(root, 'test/fixtures/docker/images.yaml'), NO_COLOR: '1', CI: '1' }
  const strato = (args) => execa(process.execPath, [cli, ...args], { cwd: dir, env, stderr: values.verbose ? 'inherit' : 'pipe' })
  const urls = SERVICES.map((_, index) => `http://127.0.0.1:${base + index}/`)
  log('strato: first deploy (not timed)')
  await strato(['deploy'])
  await waitAnswering(urls, 'v1')
  setRelease(dir, 'v2')
  const oneByOne = await timed('strato deploy (v1 -> v2), one replica at a time', startLoad(urls, rps), () => strato(['deploy']))
  await waitAnswering(urls, 'v2')
  setRelease(dir, 'v3')
  const surge = await timed(`strato deploy --surge ${REPLICAS} (v2 -> v3)`, startLoad(urls, rps), () => strato(['deploy', '--surge', String(REPLICAS)]))
  await waitAnswering(urls, 'v3')
  if (!values.keep) await strato(['destroy', '--yes'])
  return { oneByOne, surge }
}

// --- docker-compose -----------------------------------------------------
async function benchCompose() {
  const dir = project('compose')
  const base = 19180
  // The same balancer: nginx with the same retry settings; Docker's DNS is re-read every
  // second so recreated containers are found (the usual way to put nginx before compose).
  const nginx = [
    'resolver 127.0.0.11 valid=1s ipv6=off;',
    ...SERVICES.map((name, index) => `server {\n  listen ${base + index};\n  location / {\n    set $backend http://${name}:3000;\n    proxy_pass $backend;\n    proxy_next_upstream error timeout http_502 http_503 non_idempotent;\n    proxy_next_upstream_tries 3;\n    proxy_connect_timeout 2s;\n  }\n}`),
  ].join('\n')
  writeFileSync(path.join(dir, 'strato.conf'), `${nginx}\n`)
  const compose = [
    "version: '2.4'",
    'services:',
    ...SERVICES.flatMap((name) => [
      `  ${name}:`,
      '    build: { context: ./app, args: { BASE_IMAGE: "local/node:24" } }',
      `    scale: ${REPLICAS}`,
      '    restart: unless-stopped',
      '    healthcheck: { test: ["CMD", "node", "-e", "require(\'http\').get(\'http://127.0.0.1:3000/healthz\',r=>process.exit(r.statusCode<400?0:1)).on(\'error\',()=>process.exit(1))"], interval: 1s, retries: 3 }',
    ]),
    '  lb:',
    '    image: local/nginx:1',
    '    command: ["sh", "-c", "rm -f /etc/nginx/sites-enabled/default; exec nginx -g \'daemon off;\'"]',
    '    volumes: ["./strato.conf:/etc/nginx/conf.d/strato.conf:ro"]',
    `    ports: [${SERVICES.map((_, index) => `"127.0.0.1:${base + index}:${base + index}"`).join(', ')}]`,
    `    depends_on: [${SERVICES.join(', ')}]`,
    '',
  ].join('\n')
  writeFileSync(path.join(dir, 'docker-compose.yml'), compose)
  const dc = (args) => execa('docker-compose', ['--project-name', 'benchcompose', ...args], { cwd: dir, env: { ...process.env, COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_BUILDKIT: '0' }, stdout: 'ignore', stderr: 'ignore' })
  const urls = SERVICES.map((_, index) => `http://127.0.0.1:${base + index}/`)
  log('docker-compose: first up (not timed)')
  await dc(['up', '-d', '--build'])
  await waitAnswering(urls, 'v1')
  setRelease(dir, 'v2')
  const result = await timed('docker-compose up -d --build (v1 -> v2)', startLoad(urls, rps), () => dc(['up', '-d', '--build']))
  await waitAnswering(urls, 'v2')
  if (!values.keep) {
    // Clean-up only: a failure here (an image still in use by a container compose is removing) must not lose the figures.
    await dc(['down', '--rmi', 'local', '--volumes']).catch(() => dc(['down', '--volumes']).catch(() => log('docker-compose down failed; remove the benchcompose project by hand')))
  }
  return result
}

const strato = await benchStrato()
const compose = await benchCompose()
const row = (name, r) => `${name.padEnd(22)} ${r.seconds.toFixed(1).padStart(8)} ${String(r.ok).padStart(7)} ${String(r.failed).padStart(7)} ${(r.seconds / compose.seconds).toFixed(2).padStart(10)}x`
console.log(`rollout of ${SERVICES.length} services x ${REPLICAS} replicas under ${rps} req/s (target: 0 failed, <= 2x compose's time)`)
console.log(`${'tool'.padEnd(22)} ${'seconds'.padStart(8)} ${'ok'.padStart(7)} ${'failed'.padStart(7)} ${'vs compose'.padStart(11)}`)
console.log(row('strato (surge 1)', strato.oneByOne))
console.log(row(`strato (surge ${REPLICAS})`, strato.surge))
console.log(row('docker-compose up -d', compose))
