#!/usr/bin/env node
/**
 * Inventory at scale on the local Kubernetes test cluster: DEPLOYMENTS
 * Deployments of PER_DEPLOYMENT replicas (200 x 10 = 2,000 pods by default,
 * all Running on kwok's simulated nodes) labelled as strato labels them, then
 * times, in the same run against the same API server,
 *   - `strato status --target k8s --json` (the built CLI), and
 *   - `kubectl get deploy,pods -n NAMESPACE -o json`.
 * Prints the median of RUNS runs of each. Needs `npm run build` and kubectl on
 * PATH; starts its own cluster (`npm run cluster`) unless --kubeconfig is given.
 *
 *   node bench/k8s-inventory/run.mjs [--deployments 200] [--per-deployment 10] [--runs 3] [--kubeconfig FILE]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { execa } from 'execa'
import { parse } from 'yaml'
import { apiRequest } from '../../scripts/cluster/api-request.mjs'

const root = path.resolve(import.meta.dirname, '../..')
const { values } = parseArgs({ options: {
  deployments: { type: 'string', default: '200' }, 'per-deployment': { type: 'string', default: '10' }, runs: { type: 'string', default: '3' }, kubeconfig: { type: 'string' },
} })
const DEPLOYMENTS = Number(values.deployments)
const PER = Number(values['per-deployment'])
const RUNS = Number(values.runs)
const PROJECT = 'bench'
const NAMESPACE = 'strato-bench-inventory'
const median = (list) => { const sorted = [...list].sort((a, b) => a - b); return sorted[Math.floor(sorted.length / 2)] }
const ms = (value) => `${Math.round(value)} ms`

async function mapBounded(items, limit, work) {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => { while (next < items.length) { const i = next++; await work(items[i], i) } }))
}

async function startCluster() {
  if (values.kubeconfig) return { kubeconfig: values.kubeconfig, stop: async () => {} }
  const state = path.join(mkdtempSync(path.join(tmpdir(), 'strato-bench-cluster-')), 'state.json')
  const script = path.join(root, 'scripts/cluster/cluster.mjs')
  // 2,000 pods need room: 4 nodes of 1,000 pods each
  const up = await execa(process.execPath, [script, 'up', '--detach', '--state', state, '--nodes', String(Math.max(3, Math.ceil((DEPLOYMENTS * PER) / 800)))], { stderr: 'inherit' })
  return { kubeconfig: JSON.parse(up.stdout.trim().split('\n').at(-1)).kubeconfig, stop: () => execa(process.execPath, [script, 'down', '--state', state], { stderr: 'inherit' }) }
}

function connection(kubeconfig) {
  const config = parse(readFileSync(kubeconfig, 'utf8'))
  return {
    server: config.clusters[0].cluster.server,
    ca: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    token: config.users[0].user.token,
  }
}

async function call(api, method, urlPath, body, ok = [200, 201]) {
  const response = await apiRequest(api, method, urlPath, body)
  if (!ok.includes(response.status)) throw new Error(`${method} ${urlPath}: HTTP ${response.status} ${response.text.slice(0, 300)}`)
  return response.json
}

async function seed(api, services) {
  await call(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }, [201, 409])
  await mapBounded(services, 8, async (service) => {
    const labels = { 'strato.project': PROJECT, 'strato.service': service }
    const template = { metadata: { labels: { ...labels, 'strato.version': 'v1' } }, spec: { containers: [{ name: service, image: `registry.example/${service}:1.0.0`, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } }
    await call(api, 'POST', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: service, labels: { ...labels, 'strato.version': 'v1' } },
      spec: { replicas: PER, selector: { matchLabels: labels }, template },
    }, [201, 409])
  })
  const wanted = services.length * PER
  const started = performance.now()
  for (;;) {
    const pods = await call(api, 'GET', `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=strato.project%3D${PROJECT}&fieldSelector=status.phase%3DRunning`)
    if (pods.items.length >= wanted) return
    if (performance.now() - started > 900_000) throw new Error(`only ${pods.items.length} of ${wanted} pods Running after 15 minutes`)
    await new Promise((resolve) => setTimeout(resolve, 3000))
  }
}

function writeManifest(kubeconfig, services) {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-bench-k8s-'))
  const lines = [`name: ${PROJECT}`, 'services:']
  for (const service of services) lines.push(`  ${service}: { image: "registry.example/${service}:1.0.0", replicas: ${PER} }`)
  lines.push('targets:', `  k8s: { provider: kubernetes, namespace: ${NAMESPACE}, kubeconfig: "${kubeconfig}" }`)
  writeFileSync(path.join(dir, 'strato.yaml'), `${lines.join('\n')}\n`)
  return dir
}

async function timed(file, args, options) {
  const started = performance.now()
  const result = await execa(file, args, { ...options, reject: false, maxBuffer: 512 * 1024 * 1024 })
  const elapsed = performance.now() - started
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.exitCode}): ${result.stderr.slice(-500)}`)
  return { elapsed, stdout: result.stdout }
}

const kubectl = process.env.KUBECTL ?? 'kubectl'
const cluster = await startCluster()
try {
  const api = connection(cluster.kubeconfig)
  const services = Array.from({ length: DEPLOYMENTS }, (_, i) => `svc-${String(i).padStart(3, '0')}`)
  const seedStarted = performance.now()
  await seed(api, services)
  console.log(`seeded ${DEPLOYMENTS} Deployments x ${PER} pods (all Running) in ${ms(performance.now() - seedStarted)}`)
  const dir = writeManifest(cluster.kubeconfig, services)
  const env = { ...process.env, NO_COLOR: '1', CI: '1', KUBECONFIG: cluster.kubeconfig }
  const strato = [path.join(root, 'bin/run.js'), 'status', '--target', 'k8s', '--json']
  const kubectlArgs = ['get', 'deploy,pods', '-n', NAMESPACE, '-o', 'json']

  // one unmeasured round each, so neither side pays for the API server's first-request warm-up
  const check = JSON.parse((await timed(process.execPath, strato, { cwd: dir, env })).stdout)
  const running = check.services.reduce((sum, row) => sum + row.running, 0)
  if (check.services.length !== DEPLOYMENTS || running !== DEPLOYMENTS * PER) throw new Error(`strato status saw ${check.services.length} services and ${running} pods`)
  const listed = JSON.parse((await timed(kubectl, kubectlArgs, { env })).stdout).items
  if (listed.length !== DEPLOYMENTS * (PER + 1)) throw new Error(`kubectl listed ${listed.length} objects`)

  const stratoTimes = []
  const kubectlTimes = []
  for (let run = 0; run < RUNS; run++) {
    stratoTimes.push((await timed(process.execPath, strato, { cwd: dir, env })).elapsed)
    kubectlTimes.push((await timed(kubectl, kubectlArgs, { env })).elapsed)
  }
  const { stdout: version } = await execa(kubectl, ['version', '--client'], { reject: false, all: true })
  console.log(`kubectl: ${version.split('\n')[0].trim()}; runs: ${RUNS}; figures are medians`)
  console.log(`strato status --target k8s --json         ${ms(median(stratoTimes))}  (${DEPLOYMENTS} services, ${running} pods: Deployments, pods and the Ingress, planned against strato.yaml)`)
  console.log(`kubectl get deploy,pods -n ${NAMESPACE} -o json  ${ms(median(kubectlTimes))}`)
  console.log(`strato / kubectl: ${(median(stratoTimes) / median(kubectlTimes)).toFixed(2)}`)
  rmSync(dir, { recursive: true, force: true })
} finally {
  await cluster.stop()
}
