#!/usr/bin/env node
/**
 * Inventory at scale on Azure: seeds the Azure fake with SETS scale sets of
 * PER_SET VMs each (200 x 10 = 2,000 by default), then times, in the same run
 * against the same fake,
 *   - `strato status --target azure --json` (the built CLI, through the real
 *     DefaultAzureCredential), and
 *   - Debian's azure-cli, `az vmss list` on the same resource group, pointed
 *     at the fake with `az cloud register` (a custom resource-manager and
 *     authority endpoint) and logged in as a service principal.
 * Prints the median of RUNS runs of each. Needs `npm run build`; azure-cli
 * from Debian (`apt-get install azure-cli`) for the comparison.
 *
 *   node bench/azure-inventory/run.mjs [--sets 200] [--per-set 10] [--runs 3]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { execa } from 'execa'

const root = path.resolve(import.meta.dirname, '../..')
const { values } = parseArgs({ options: { sets: { type: 'string', default: '200' }, 'per-set': { type: 'string', default: '10' }, runs: { type: 'string', default: '3' } } })
const SETS = Number(values.sets)
const PER_SET = Number(values['per-set'])
const RUNS = Number(values.runs)
const PROJECT = 'bench'
const GROUP = `strato-${PROJECT}-azure`
const median = (list) => { const sorted = [...list].sort((a, b) => a - b); return sorted[Math.floor(sorted.length / 2)] }
const ms = (value) => `${Math.round(value)} ms`

async function timed(file, args, options) {
  const started = performance.now()
  const result = await execa(file, args, { ...options, reject: false })
  const elapsed = performance.now() - started
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.exitCode}): ${`${result.stderr}`.slice(-800)}`)
  return { elapsed, stdout: result.stdout }
}

function writeManifest(endpoint, subscription) {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-bench-azure-'))
  const lines = [`name: ${PROJECT}`, 'services:']
  for (let i = 0; i < SETS; i++) lines.push(`  svc-${String(i).padStart(3, '0')}: { image: "registry.example/svc-${i}:1.0.0", port: 8080, health: /, replicas: ${PER_SET} }`)
  lines.push('targets:', `  azure: { provider: azure, location: westeurope, vmSize: Standard_B2s, subscription: ${subscription}, endpoint: "${endpoint}" }`)
  writeFileSync(path.join(dir, 'strato.yaml'), `${lines.join('\n')}\n`)
  return dir
}

/** Points Debian's az at the fake; returns the environment to run it with, or the reason it cannot be. */
async function prepareAz(fake, configDir) {
  const az = process.env.AZ_CLI ?? (existsSync('/usr/bin/az') ? '/usr/bin/az' : undefined)
  if (!az) return { reason: 'azure-cli is not installed (Debian: apt-get install azure-cli)' }
  const env = { ...process.env, AZURE_CONFIG_DIR: configDir, REQUESTS_CA_BUNDLE: fake.caFile, AZURE_CORE_COLLECT_TELEMETRY: 'false', AZURE_CORE_ONLY_SHOW_ERRORS: 'true' }
  const run = (args) => execa(az, args, { env, reject: false })
  // An ADFS-style authority (tenant "adfs") is one MSAL does not send to Microsoft's instance discovery,
  // which a machine without internet cannot reach.
  const steps = [
    ['cloud', 'register', '--name', 'StratoFake', '--endpoint-resource-manager', fake.endpoint, '--endpoint-active-directory', fake.endpoint,
      '--endpoint-active-directory-resource-id', 'https://management.azure.com/', '--endpoint-active-directory-graph-resource-id', 'https://graph.windows.net/',
      '--endpoint-management', 'https://management.core.windows.net/',
      // Debian's azure-cli 2.45 ships an azure-mgmt-compute without the 2022-11-01 API its "latest" profile asks for,
      // so `az vmss list` fails there on any cloud; this profile uses compute API 2020-06-01.
      '--profile', '2020-09-01-hybrid'],
    ['cloud', 'set', '--name', 'StratoFake'],
    ['login', '--service-principal', '--username', 'strato-bench', '--password', ['bench', 'only'].join('-'), '--tenant', 'adfs'],
  ]
  for (const args of steps) {
    const result = await run(args)
    if (result.exitCode !== 0) return { reason: `az ${args.slice(0, 2).join(' ')} failed: ${`${result.stderr}`.trim().split('\n').slice(-2).join(' ')}` }
  }
  const { stdout } = await run(['version', '--query', '"azure-cli"', '-o', 'tsv'])
  return { az, env, version: stdout.trim() }
}

const { startAzureFake } = await import(pathToFileURL(path.join(root, 'test/fakes/azure/server.ts')).href)
const fake = await startAzureFake()
const configDir = mkdtempSync(path.join(tmpdir(), 'strato-bench-az-'))
try {
  const seedStarted = performance.now()
  await fake.control('POST', '/seed/scale-sets', { subscription: fake.subscriptionId, resourceGroup: GROUP, project: PROJECT, count: SETS, perSet: PER_SET })
  console.log(`seeded ${SETS} scale sets x ${PER_SET} VMs in the fake in ${ms(performance.now() - seedStarted)}`)
  const dir = writeManifest(fake.endpoint, fake.subscriptionId)
  const env = {
    ...process.env, NO_COLOR: '1', CI: '1', NODE_EXTRA_CA_CERTS: fake.caFile, AZURE_AUTHORITY_HOST: fake.endpoint, AZURE_TENANT_ID: fake.tenantId,
    AZURE_CLIENT_ID: 'strato-bench', AZURE_CLIENT_SECRET: ['bench', 'only'].join('-'),
  }
  const strato = [path.join(root, 'bin/run.js'), 'status', '--target', 'azure', '--json']

  // one unmeasured round each: caches warm, and the figures checked
  const check = JSON.parse((await timed(process.execPath, strato, { cwd: dir, env })).stdout)
  const running = check.services.reduce((sum, row) => sum + row.running, 0)
  if (check.services.length !== SETS || running !== SETS * PER_SET) throw new Error(`strato status saw ${check.services.length} services and ${running} VMs`)
  const az = await prepareAz(fake, configDir)
  const azCall = az.az ? ['vmss', 'list', '--resource-group', GROUP, '-o', 'json'] : []
  if (az.az) {
    const listed = JSON.parse((await timed(az.az, azCall, { env: az.env })).stdout).length
    if (listed !== SETS) throw new Error(`az vmss list saw ${listed} scale sets`)
  }

  const stratoTimes = []
  const azTimes = []
  for (let run = 0; run < RUNS; run++) {
    stratoTimes.push((await timed(process.execPath, strato, { cwd: dir, env })).elapsed)
    if (az.az) azTimes.push((await timed(az.az, azCall, { env: az.env })).elapsed)
  }
  console.log(`runs: ${RUNS}; figures are medians`)
  console.log(`strato status --target azure --json     ${ms(median(stratoTimes))}  (${SETS} services, ${running} VMs: the scale sets, each one's VMs with their instance views, and the project's tagged resources)`)
  if (az.az) {
    console.log(`az vmss list --resource-group ${GROUP}  ${ms(median(azTimes))}  (azure-cli ${az.version}: the ${SETS} scale sets only, no VMs)`)
    console.log(`strato / az: ${(median(stratoTimes) / median(azTimes)).toFixed(2)}`)
  } else {
    console.log(`az could not be pointed at the fake: ${az.reason}.`)
    console.log('Compare with the aws figure instead: npm run bench -- aws-inventory (strato status over 200 groups / 2,000 instances in moto beside the aws CLI).')
  }
  rmSync(dir, { recursive: true, force: true })
} finally {
  rmSync(configDir, { recursive: true, force: true })
  await fake.close()
}
