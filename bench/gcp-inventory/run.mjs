#!/usr/bin/env node
/**
 * Inventory at scale on GCP: seeds the gcp fake (`npm run fake -- gcp`) with
 * GROUPS regional managed instance groups of PER_GROUP ready instances each
 * (200 x 10 = 2,000 by default), named and described as strato makes them,
 * then times, in the same run against the same fake,
 *   - `strato status --target gcp --json` (the built CLI, credentials through
 *     a service-account key file whose token_uri is the fake), and
 *   - gcloud (/usr/bin/gcloud, or GCLOUD) pointed at the fake with
 *     api_endpoint_overrides/compute: `compute instance-groups managed list`
 *     and `compute instances list`.
 * Prints the median of RUNS runs of each, and strato's time to its first
 * request (process start to the first call the fake sees, SDK loading
 * included) against the 400 ms overhead goal. Needs `npm run build`.
 *
 *   node bench/gcp-inventory/run.mjs [--groups 200] [--per-group 10] [--runs 3] [--serve]
 *
 * --serve prints the three commands, ready to time side by side with any benchmarking tool, and keeps
 * the seeded fake up until Ctrl-C (then runs the timed rounds).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { execa } from 'execa'
import { median, ms, timed } from '../timing.mjs'

const root = path.resolve(import.meta.dirname, '../..')
const { values } = parseArgs({ options: { groups: { type: 'string', default: '200' }, 'per-group': { type: 'string', default: '10' }, runs: { type: 'string', default: '3' }, serve: { type: 'boolean', default: false } } })
const GROUPS = Number(values.groups)
const PER_GROUP = Number(values['per-group'])
const RUNS = Number(values.runs)
const PROJECT = 'bench'
const GCP_PROJECT = 'bench-project'
const ZONE = 'europe-west1-b'
const REGION = 'europe-west1'
const GOAL_MS = 400

if (!existsSync(path.join(root, 'dist/providers/gcp/naming.js'))) throw new Error('dist/ is missing: run `npm run build` first.')
const { serviceResourceName, templateName } = await import(path.join(root, 'dist/providers/gcp/naming.js'))
const { groupBody } = await import(path.join(root, 'dist/providers/gcp/group-bodies.js'))
const { templateBody } = await import(path.join(root, 'dist/providers/gcp/instance-template.js'))


async function startFake() {
  const child = execa(process.execPath, [path.join(root, 'scripts/fake.mjs'), 'gcp', '--fast'], { reject: false, cleanup: true, stderr: 'ignore', buffer: false })
  const line = await new Promise((resolve, reject) => {
    let text = ''
    child.stdout.on('data', (chunk) => {
      text += chunk
      if (text.includes('\n')) resolve(text.split('\n')[0])
    })
    child.then(() => reject(new Error('the gcp fake exited before it printed its endpoint')))
  })
  const { endpoint } = JSON.parse(line)
  return { endpoint, stop: async () => { child.kill('SIGTERM'); await child } }
}

async function control(endpoint, method, route, body) {
  const answer = await fetch(`${endpoint}/__fake/${route}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
  if (!answer.ok) throw new Error(`fake ${route}: ${answer.status} ${await answer.text()}`)
  return answer.json()
}

/** The groups and templates as strato's deploy would have left them, created at once. */
async function seed(endpoint) {
  const services = Array.from({ length: GROUPS }, (_, i) => `svc-${String(i).padStart(3, '0')}`)
  const spec = { image: 'nginx:1.27', port: 8080 }
  const templates = []
  const groups = []
  for (const service of services) {
    const template = templateBody({
      project: PROJECT, gcpProject: GCP_PROJECT, target: 'gcp', service, spec, version: 'aaaaaaaaaaaa', image: spec.image, machineType: 'e2-small',
      network: `projects/${GCP_PROJECT}/global/networks/default`, publicIp: false, deployedBy: 'bench', deployedAt: '2026-11-01T00:00:00.000Z', replicas: PER_GROUP,
    })
    templates.push(template)
    const name = serviceResourceName(PROJECT, service)
    groups.push({
      group: groupBody({
        project: PROJECT, service, target: 'gcp', region: REGION, zones: [ZONE], templateLink: `projects/${GCP_PROJECT}/global/instanceTemplates/${templateName(PROJECT, service, 'aaaaaaaaaaaa')}`,
        healthCheckLink: `projects/${GCP_PROJECT}/global/healthChecks/${name}`, port: 8080, targetSize: PER_GROUP,
      }),
      instances: PER_GROUP,
    })
  }
  await control(endpoint, 'POST', 'seed', { project: GCP_PROJECT, region: REGION, templates, groups })
  return services
}

function writeManifest(endpoint, services) {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-bench-gcp-'))
  const lines = [`name: ${PROJECT}`, 'services:']
  for (const service of services) lines.push(`  ${service}: { image: "nginx:1.27", port: 8080, replicas: ${PER_GROUP} }`)
  lines.push('targets:', `  gcp: { provider: gcp, project: ${GCP_PROJECT}, zone: ${ZONE}, machineType: e2-small, endpoint: "${endpoint}" }`)
  writeFileSync(path.join(dir, 'strato.yaml'), `${lines.join('\n')}\n`)
  return dir
}

const gcloud = process.env.GCLOUD ?? (existsSync('/usr/bin/gcloud') ? '/usr/bin/gcloud' : 'gcloud')

const fake = await startFake()
const scratch = mkdtempSync(path.join(tmpdir(), 'strato-bench-gcp-config-'))
try {
  const seedStarted = performance.now()
  const services = await seed(fake.endpoint)
  console.log(`seeded ${GROUPS} groups x ${PER_GROUP} instances in the gcp fake in ${ms(performance.now() - seedStarted)}`)
  const dir = writeManifest(fake.endpoint, services)
  const keyFile = path.join(scratch, 'key.json')
  writeFileSync(keyFile, JSON.stringify(await control(fake.endpoint, 'GET', 'key-file')), { mode: 0o600 })
  const tokenFile = path.join(scratch, 'token')
  writeFileSync(tokenFile, (await control(fake.endpoint, 'POST', 'token')).access_token, { mode: 0o600 })
  const env = { ...process.env, GOOGLE_APPLICATION_CREDENTIALS: keyFile, METADATA_SERVER_DETECTION: 'none', NO_COLOR: '1', CI: '1' }
  const cloudsdk = { ...process.env, CLOUDSDK_CONFIG: path.join(scratch, 'gcloud'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1' }
  for (const [property, value] of [['core/project', GCP_PROJECT], ['api_endpoint_overrides/compute', `${fake.endpoint}/compute/v1/`], ['auth/access_token_file', tokenFile], ['core/disable_usage_reporting', 'true'], ['component_manager/disable_update_check', 'true']]) {
    await execa(gcloud, ['config', 'set', property, value], { env: cloudsdk })
  }
  const strato = [path.join(root, 'bin/run.js'), 'status', '--target', 'gcp', '--json']
  const groupsCall = ['compute', 'instance-groups', 'managed', 'list', '--format=json']
  const instancesCall = ['compute', 'instances', 'list', '--format=json']

  if (values.serve) {
    // for timing by hand: the fake stays up, seeded, until Ctrl-C
    const quote = (words) => words.map((word) => (/^[\w./:=@-]+$/.test(word) ? word : `'${word}'`)).join(' ')
    console.log(`cd ${dir} && GOOGLE_APPLICATION_CREDENTIALS=${keyFile} METADATA_SERVER_DETECTION=none ${quote([process.execPath, ...strato])}`)
    console.log(`CLOUDSDK_CONFIG=${cloudsdk.CLOUDSDK_CONFIG} ${quote([gcloud, ...groupsCall])}`)
    console.log(`CLOUDSDK_CONFIG=${cloudsdk.CLOUDSDK_CONFIG} ${quote([gcloud, ...instancesCall])}`)
    await new Promise((resolve) => process.once('SIGINT', resolve))
  }

  // one unmeasured round each, checking that both see everything
  const check = JSON.parse((await timed(process.execPath, strato, { cwd: dir, env })).stdout)
  const running = check.services.reduce((sum, row) => sum + row.running, 0)
  if (check.services.length !== GROUPS || running !== GROUPS * PER_GROUP) throw new Error(`strato status saw ${check.services.length} services and ${running} instances`)
  const gcloudGroups = JSON.parse((await timed(gcloud, groupsCall, { env: cloudsdk })).stdout).length
  const gcloudInstances = JSON.parse((await timed(gcloud, instancesCall, { env: cloudsdk })).stdout).length
  if (gcloudGroups !== GROUPS || gcloudInstances !== GROUPS * PER_GROUP) throw new Error(`gcloud saw ${gcloudGroups} groups and ${gcloudInstances} instances`)

  const stratoTimes = []
  const firstRequests = []
  const firstCompute = []
  const cliGroups = []
  const cliInstances = []
  for (let run = 0; run < RUNS; run++) {
    await control(fake.endpoint, 'DELETE', 'requests')
    const started = Date.now()
    stratoTimes.push((await timed(process.execPath, strato, { cwd: dir, env })).elapsed)
    const { requests } = await control(fake.endpoint, 'GET', 'requests')
    firstRequests.push(requests[0].at - started)
    firstCompute.push(requests.find((request) => request.path.startsWith('/compute/')).at - started)
    cliGroups.push((await timed(gcloud, groupsCall, { env: cloudsdk })).elapsed)
    cliInstances.push((await timed(gcloud, instancesCall, { env: cloudsdk })).elapsed)
  }
  const cliBoth = cliGroups.map((value, index) => value + cliInstances[index])
  const { stdout: version } = await execa(gcloud, ['--version'], { env: cloudsdk, reject: false })
  console.log(`gcloud: ${version.split('\n')[0]}; runs: ${RUNS}; figures are medians`)
  console.log(`strato status --target gcp --json              ${ms(median(stratoTimes))}  (${GROUPS} services, ${running} instances: groups, their members, templates, forwarding rules)`)
  console.log(`gcloud compute instance-groups managed list    ${ms(median(cliGroups))}`)
  console.log(`gcloud compute instances list                  ${ms(median(cliInstances))}`)
  console.log(`gcloud, both listings one after the other      ${ms(median(cliBoth))}`)
  console.log(`strato / gcloud (both listings): ${(median(stratoTimes) / median(cliBoth)).toFixed(2)}`)
  console.log(`strato's time to first request (process start to the token request): ${ms(median(firstRequests))}; to the first compute request: ${ms(median(firstCompute))}; goal: ${GOAL_MS} ms`)
  rmSync(dir, { recursive: true, force: true })
} finally {
  rmSync(scratch, { recursive: true, force: true })
  await fake.stop()
}
