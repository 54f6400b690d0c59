#!/usr/bin/env node
// The Kubernetes test cluster: a real control plane (etcd, kube-apiserver with
// token auth and RBAC, controller manager, scheduler) with kwok simulating the
// nodes, so Deployments roll out and pods turn Running without containers.
//
//   npm run cluster -- up [--detach] [--nodes N] [--state FILE]   prints {"kubeconfig": "..."}
//   npm run cluster -- down [--state FILE]                         stops exactly what up started
//   npm run cluster -- build                                       builds the binaries only
//
// Binaries are built once per version into ${XDG_CACHE_HOME:-~/.cache}/strato/k8s/.
import { randomBytes } from 'node:crypto'
import { accessSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { execa } from 'execa'
import { parseAllDocuments, stringify } from 'yaml'
import { apiRequest, waitFor } from './api-request.mjs'
import { pkiFiles, writePki } from './pki.mjs'

export const K8S_VERSION = 'v1.34.2'
export const KWOK_VERSION = 'v0.8.0'
const here = path.dirname(fileURLToPath(import.meta.url))

const log = (message) => process.stderr.write(`==> [cluster] ${message}\n`)

export function cacheDir(env = process.env) {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache')
  return path.join(base, 'strato', 'k8s', `${K8S_VERSION}-kwok-${KWOK_VERSION}`)
}

function defaultStateFile(env = process.env) {
  return path.join(env.XDG_RUNTIME_DIR || os.tmpdir(), 'strato-cluster', 'state.json')
}

async function build() {
  const dir = cacheDir()
  const needed = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'].some((bin) => !existsSync(path.join(dir, 'bin', bin)))
  if (needed || !existsSync(path.join(dir, 'stages'))) {
    log(`building Kubernetes ${K8S_VERSION} and kwok ${KWOK_VERSION} into ${dir} (first use only; about 15 minutes on 2 cores)`)
    const go = await firstExisting(['go', '/usr/local/go/bin/go'])
    await execa('bash', [path.join(here, 'build-binaries.sh'), K8S_VERSION, KWOK_VERSION, dir], { stdio: ['ignore', 'inherit', 'inherit'], env: { GO: go } })
  }
  return dir
}

/** The first of the programs found: a path as given, a bare name on PATH. */
async function firstExisting(candidates) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)
  for (const candidate of candidates) {
    const paths = candidate.includes('/') ? [candidate] : dirs.map((dir) => path.join(dir, candidate))
    for (const file of paths) {
      try {
        accessSync(file, constants.X_OK)
        return file
      } catch { /* not here */ }
    }
  }
  return undefined
}

/** etcd and openssl come from Debian; installed when missing (sudo when not root). */
async function ensureDebianPackages() {
  const missing = []
  if (!(await firstExisting(['etcd', '/usr/bin/etcd']))) missing.push('etcd-server')
  if (!(await firstExisting(['openssl']))) missing.push('openssl')
  if (missing.length === 0) return
  log(`installing ${missing.join(', ')} from Debian`)
  const sudo = process.getuid?.() === 0 ? [] : ['sudo']
  const run = (args) => execa(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env: { DEBIAN_FRONTEND: 'noninteractive' } })
  await run(['apt-get', 'update', '-qq'])
  await run(['apt-get', 'install', '-y', '-qq', ...missing])
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function kubeconfig(server, caPem, token, user) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'strato-test', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'strato-test', context: { cluster: 'strato-test', user, namespace: 'default' } }],
    'current-context': 'strato-test',
  })
}

/**
 * kwok's shipped stages, plus one for tests: a pod whose image name contains
 * "never-ready" turns Running but never Ready, so a rollout of it stalls.
 * Every container's log is the file `podLog` (pod.log next to the kubeconfig), followable.
 */
function kwokConfig(stagesDir, podLog) {
  const docs = readdirSync(stagesDir).sort().flatMap((file) => parseAllDocuments(readFileSync(path.join(stagesDir, file), 'utf8')).map((doc) => doc.toJS()))
  const neverReady = { key: '.spec.containers.[].image | contains("never-ready")', operator: 'In', values: ['true'] }
  const ready = docs.find((doc) => doc?.metadata?.name === 'pod-ready')
  if (!ready) throw new Error(`kwok's pod-ready stage is missing from ${stagesDir}`)
  const unready = structuredClone(ready)
  ready.spec.selector.matchExpressions.push({ ...neverReady, operator: 'NotIn' })
  unready.metadata.name = 'pod-running-never-ready'
  unready.spec.selector.matchExpressions.push(neverReady)
  unready.spec.next.statusTemplate = unready.spec.next.statusTemplate
    .replace(/status: "True"\n(\s+)type: Ready/, 'status: "False"\n$1reason: ContainersNotReady\n$1type: Ready')
    .replace(/status: "True"\n(\s+)type: ContainersReady/, 'status: "False"\n$1type: ContainersReady')
    .replace(/ready: true/g, 'ready: false')
  const logs = { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterLogs', metadata: { name: 'strato-test-logs' }, spec: { logs: [{ logsFile: podLog, follow: true }] } }
  return [...docs, unready, logs].map((doc) => stringify(doc)).join('---\n')
}

function nodeObject(index) {
  const name = `kwok-node-${index}`
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/role': 'agent', type: 'kwok' },
    },
    status: {
      allocatable: { cpu: '32', memory: '128Gi', pods: '1000' },
      capacity: { cpu: '32', memory: '128Gi', pods: '1000' },
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
      phase: 'Running',
    },
  }
}

/** Starts one program in its own process group, logging to a file; it outlives this script (main exits explicitly). */
function startDetached(runDir, name, file, args) {
  const out = openSync(path.join(runDir, `${name}.log`), 'a')
  // Debian's etcd 3.4 cannot report watch progress, so clients must not ask for streamed watch lists (each try costs a re-list).
  const env = { KUBE_FEATURE_WatchListClient: 'false' }
  const child = execa(file, args, { detached: true, cleanup: false, reject: false, stdio: ['ignore', out, out], env })
  child.catch(() => {})
  return { name, pid: child.pid, file }
}

function alive(entry) {
  try {
    // The pid must still be the program we started, not a recycled one.
    const cmdline = readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8')
    return cmdline.split('\0')[0] === entry.file
  } catch {
    return false
  }
}

async function stopAll(processes) {
  for (const entry of [...processes].reverse()) {
    if (!alive(entry)) continue
    try { process.kill(-entry.pid, 'SIGTERM') } catch { /* already gone */ }
  }
  const deadline = Date.now() + 15_000
  while (processes.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
  for (const entry of processes.filter(alive)) {
    try { process.kill(-entry.pid, 'SIGKILL') } catch { /* already gone */ }
  }
}

function readState(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

async function up(options) {
  const existing = readState(options.state)
  if (existing && existing.processes.every(alive)) {
    log(`already up (state ${options.state})`)
    process.stdout.write(`${JSON.stringify({ kubeconfig: existing.kubeconfig })}\n`)
    return
  }
  if (existing) await down(options)

  await ensureDebianPackages()
  const dir = await build()
  const bin = (name) => path.join(dir, 'bin', name)
  const etcd = await firstExisting(['etcd', '/usr/bin/etcd'])

  const runDir = options.dir ?? path.join(os.tmpdir(), `strato-cluster-${randomBytes(4).toString('hex')}`)
  mkdirSync(runDir, { recursive: true })
  const pki = await writePki(path.join(runDir, 'pki'))
  const files = pkiFiles(path.join(runDir, 'pki'))
  const [etcdPort, peerPort, apiPort, kwokPort] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const server = `https://127.0.0.1:${apiPort}`
  const tokens = Object.fromEntries(['admin', 'controller-manager', 'scheduler', 'kwok'].map((name) => [name, randomBytes(24).toString('hex')]))
  writeFileSync(path.join(runDir, 'tokens.csv'), [
    `${tokens.admin},strato-admin,strato-admin,"system:masters"`,
    `${tokens['controller-manager']},system:kube-controller-manager,system:kube-controller-manager`,
    `${tokens.scheduler},system:kube-scheduler,system:kube-scheduler`,
    `${tokens.kwok},kwok,kwok,"system:masters"`,
  ].join('\n') + '\n', { mode: 0o600 })
  const configs = {}
  for (const [name, user] of [['admin', 'strato-admin'], ['controller-manager', 'system:kube-controller-manager'], ['scheduler', 'system:kube-scheduler'], ['kwok', 'kwok']]) {
    configs[name] = path.join(runDir, `${name}.kubeconfig`)
    writeFileSync(configs[name], kubeconfig(server, pki.caPem, tokens[name], user), { mode: 0o600 })
  }
  const kwokConfigFile = path.join(runDir, 'kwok.yaml')
  const podLog = path.join(runDir, 'pod.log')
  // The CRI log format kwok reads: time, stream, P(artial) or F(ull), the line.
  writeFileSync(podLog, `${new Date().toISOString()} stdout F simulated container started\n`)
  writeFileSync(kwokConfigFile, kwokConfig(path.join(dir, 'stages'), podLog))

  const state = { runDir, kubeconfig: configs.admin, server, processes: [], startedAt: new Date().toISOString() }
  const saveState = () => {
    mkdirSync(path.dirname(options.state), { recursive: true })
    writeFileSync(options.state, JSON.stringify(state, null, 2))
  }
  const start = (name, file, args) => { state.processes.push(startDetached(runDir, name, file, args)); saveState() }
  const admin = (method, urlPath, body) => apiRequest({ server, ca: pki.caPem, token: tokens.admin }, method, urlPath, body)

  try {
    log(`starting etcd on 127.0.0.1:${etcdPort}`)
    start('etcd', etcd, [
      '--name', 'strato', '--data-dir', path.join(runDir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `strato=http://127.0.0.1:${peerPort}`, '--log-level', 'warn',
    ])
    await waitFor('etcd', 30_000, async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, state.processes)

    log(`starting kube-apiserver on ${server}`)
    start('kube-apiserver', bin('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      '--endpoint-reconciler-type=none',
      `--cert-dir=${path.join(runDir, 'pki')}`, `--tls-cert-file=${files.apiserverCrt}`, `--tls-private-key-file=${files.apiserverKey}`,
      `--client-ca-file=${files.caCrt}`,
      `--token-auth-file=${path.join(runDir, 'tokens.csv')}`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${files.saPub}`, `--service-account-signing-key-file=${files.saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16', '--allow-privileged=true',
      // The aggregation layer, so a test can serve metrics.k8s.io through an APIService.
      `--requestheader-client-ca-file=${files.frontProxyCaCrt}`, '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User', '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${files.frontProxyClientCrt}`, `--proxy-client-key-file=${files.frontProxyClientKey}`,
      // Logs of pods are served by kwok on 127.0.0.1, the simulated nodes' address.
      '--kubelet-preferred-address-types=InternalIP',
      // etcd 3.4 cannot report watch progress: refuse streamed watch lists up front, so clients fall back to list and watch.
      '--feature-gates=WatchList=false',
      '--profiling=false', '--v=1',
    ])
    await waitFor('kube-apiserver', 120_000, async () => (await admin('GET', '/readyz')).status === 200, state.processes)

    const storageClass = await admin('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/host-path', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate',
    })
    if (storageClass.status !== 201 && storageClass.status !== 409) throw new Error(`creating the default StorageClass: HTTP ${storageClass.status} ${storageClass.text}`)

    log('starting kube-controller-manager and kube-scheduler')
    start('kube-controller-manager', bin('kube-controller-manager'), [
      `--kubeconfig=${configs['controller-manager']}`, '--bind-address=127.0.0.1', '--secure-port=0', '--leader-elect=false',
      `--service-account-private-key-file=${files.saKey}`, `--root-ca-file=${files.caCrt}`,
      '--use-service-account-credentials=true', '--controllers=*,-nodeipam,-cloud-node-lifecycle',
      // Claims bind to directories under /tmp/hostpath_pv: enough for pods with volumes to schedule on simulated nodes.
      '--enable-hostpath-provisioner=true',
      // Tests watch autoscaling act; the defaults (15 s sync, 5 min CPU warm-up) are sized for real fleets.
      '--horizontal-pod-autoscaler-sync-period=3s', '--horizontal-pod-autoscaler-cpu-initialization-period=5s',
      '--horizontal-pod-autoscaler-initial-readiness-delay=5s', '--feature-gates=WatchListClient=false', '--v=1',
    ])
    start('kube-scheduler', bin('kube-scheduler'), [
      `--kubeconfig=${configs.scheduler}`, '--bind-address=127.0.0.1', '--secure-port=0', '--leader-elect=false', '--v=1',
    ])
    log('starting kwok')
    start('kwok', bin('kwok'), [
      `--kubeconfig=${configs.kwok}`, `--config=${kwokConfigFile}`,
      '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      // Nodes report 127.0.0.1 and kwok answers the API server's kubelet calls (logs) there; nothing dials pod IPs.
      '--cidr=10.244.0.0/16', '--node-ip=127.0.0.1', `--node-port=${kwokPort}`, `--server-address=127.0.0.1:${kwokPort}`,
    ])

    for (let index = 0; index < options.nodes; index++) {
      const response = await admin('POST', '/api/v1/nodes', nodeObject(index))
      if (response.status !== 201 && response.status !== 409) throw new Error(`creating node ${index}: HTTP ${response.status} ${response.text}`)
    }
    await waitFor('nodes Ready', 60_000, async () => {
      const { json } = await admin('GET', '/api/v1/nodes?labelSelector=type%3Dkwok')
      const ready = (json?.items ?? []).filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      return ready.length >= options.nodes
    }, state.processes)
    await waitFor('the default service account (controller manager)', 60_000, async () => (await admin('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200, state.processes)
  } catch (error) {
    log(`failed: ${error.message}; logs in ${runDir}`)
    await stopAll(state.processes)
    rmSync(options.state, { force: true })
    throw error
  }

  log(`up: ${options.nodes} simulated nodes; state in ${options.state}`)
  process.stdout.write(`${JSON.stringify({ kubeconfig: configs.admin })}\n`)
  if (options.detach) return

  await new Promise((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await down(options)
}

async function down(options) {
  const state = readState(options.state)
  if (!state) {
    log(`nothing to stop (no state at ${options.state})`)
    return
  }
  log(`stopping ${state.processes.map((entry) => entry.name).join(', ')}`)
  await stopAll(state.processes)
  if (!options.keep) rmSync(state.runDir, { recursive: true, force: true })
  rmSync(options.state, { force: true })
  log('down')
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      detach: { type: 'boolean', default: false },
      nodes: { type: 'string', default: '3' },
      state: { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const command = positionals[0]
  if (values.help || !['up', 'down', 'build'].includes(command)) {
    process.stderr.write('usage: npm run cluster -- up [--detach] [--nodes N] [--state FILE] [--dir RUN_DIR]\n       npm run cluster -- down [--state FILE] [--keep]\n       npm run cluster -- build\n')
    process.exit(values.help ? 0 : 2)
  }
  const options = { ...values, nodes: Number(values.nodes), state: path.resolve(values.state ?? defaultStateFile()) }
  if (command === 'build') await build()
  else if (command === 'up') await up(options)
  else await down(options)
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`cluster: ${error.message}\n`)
  process.exit(1)
})
