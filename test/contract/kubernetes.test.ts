/**
 * The conformance suite on the kubernetes provider, against the test cluster
 * (a real control plane, kwok's simulated nodes). A version that never turns
 * healthy is one whose image name contains "never-ready" (a kwok stage keeps
 * such pods Running but not Ready); metrics come from the test metrics
 * adapter; transient errors and refused credentials from a proxy in front of
 * the API server answering as the API server does.
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CoreV1Api, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node'
import { parse } from 'yaml'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress } from '../../src/model.js'
import type { Provider, ProviderSettings } from '../../providers/provider.js'
import { providerFor } from '../../providers/registry.js'
import { useCluster, type TestCluster } from '../helpers/cluster.js'
import { freePort } from '../helpers/moto.js'
import { writeKubeconfig } from '../helpers/kube-access.js'
import { startMetricsAdapter, type MetricsAdapter } from '../helpers/metrics-adapter.js'
import { dropConnection, startFaultProxy, type FaultProxy } from './fault-proxy.js'
import type { ContractHarness, ContractProject } from './harness.js'
import { providerContract } from './suite.js'

const NAME = 'ctk8s'
const namespace = `strato-contract-${process.pid}`
let cluster: TestCluster
let adapter: MetricsAdapter
let image = 1
let neverReady = false
let healthTimeoutSeconds = 60

function manifest(kubeconfig = cluster.kubeconfig): Manifest {
  return {
    name: NAME,
    services: {
      web: {
        image: `registry.example/web${neverReady ? '-never-ready' : ''}:1.${image}.0`, port: 8080, health: '/healthz', replicas: 2,
        resources: { cpu: 0.5, memory: '256Mi' },
        autoscale: { min: 1, max: 3, target: { cpu: 60 }, steps: [{ metric: 'cpu', above: 85, change: 1 }], cooldown: '60s' },
      },
    },
    targets: { k8s: { provider: 'kubernetes', namespace, kubeconfig, cost: { monthly: 146 } } },
  }
}

const project = (): ContractProject => ({ manifest: manifest(), dir: process.cwd(), targetName: 'k8s', service: 'web' })

function open(settings: ProviderSettings = {}, kubeconfig?: string): Promise<Provider> {
  const m = manifest(kubeconfig)
  return providerFor({
    manifest: m, targetName: 'k8s', target: m.targets!.k8s, projectDir: process.cwd(), env: process.env, progress: silentProgress,
    settings: { maxAttempts: 2, pollIntervalMs: 200, healthTimeoutSeconds, ...settings },
  })
}

function adminConnection(): { server: string; ca: string; token: string } {
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[] }
  return { server: config.clusters[0].cluster.server, ca: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), token: config.users[0].user.token }
}

/** An API server's error answer: a Status object with the HTTP code. */
function statusAnswer(code: number, reason: string) {
  return (_request: IncomingMessage, _body: Buffer, response: ServerResponse) => {
    response.writeHead(code, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: reason, reason, code }))
  }
}

/** A provider talking to the API server through a fault proxy (plain HTTP to the proxy, HTTPS on to the server). */
async function proxied(setUp: (proxy: FaultProxy) => void, settings: ProviderSettings) {
  const admin = adminConnection()
  const upstream = new URL(admin.server)
  const proxy = await startFaultProxy({ host: upstream.hostname, port: Number(upstream.port), tls: { ca: admin.ca } })
  setUp(proxy)
  const provider = await open(settings, writeKubeconfig(proxy.address, undefined, admin.token))
  return { provider, injected: proxy.injected, close: async () => { await provider.close(); await proxy.close() } }
}

/** The pods of the service that are Ready, as the cluster lists them. */
async function readyPods(): Promise<string[]> {
  const pods = await cluster.kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: `strato.project=${NAME},strato.service=web` })
  return pods.items
    .filter((pod) => !pod.metadata?.deletionTimestamp && pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'))
    .map((pod) => pod.metadata!.name!).sort()
}

const harness: ContractHarness = {
  kind: 'kubernetes',
  async setUp() {
    cluster = await useCluster()
    adapter = await startMetricsAdapter(cluster.kubeconfig)
  },
  async tearDown() {
    await adapter?.close()
    await KubernetesObjectApi.makeApiClient(cluster.kc).delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as KubernetesObject).catch(() => undefined)
    await cluster?.stop()
  },
  project,
  open: (settings) => open(settings),
  changeVersion() {
    image += 1
  },
  async neverHealthy() {
    neverReady = true
    image += 1
    healthTimeoutSeconds = 8
    return async () => {
      neverReady = false
      image -= 1
      healthTimeoutSeconds = 60
    }
  },
  serving: () => readyPods(),
  withTransientFaults: (failures) => proxied((proxy) => {
    // a dropped connection, then throttling, then a 503: the client retries all three kinds
    let given = 0
    proxy.failNext(failures, (request, body, response) => [dropConnection, statusAnswer(429, 'TooManyRequests'), statusAnswer(503, 'ServiceUnavailable')][given++ % 3](request, body, response))
  }, { maxAttempts: failures + 2 }),
  withRefusedCredentials: () => proxied((proxy) => proxy.refuseAll(statusAnswer(401, 'Unauthorized')), {}),
  unreachable: async () => open({ maxAttempts: 1 }, writeKubeconfig(`https://127.0.0.1:${await freePort()}`, undefined, adminConnection().token)),
  async recordMetrics() {
    adapter.setUsage(namespace, () => ({ cpu: 300, memory: 128 * 1024 ** 2 }))
  },
  async recordSpend(period) {
    // A simulated cluster has no past: the service's pods are given a start at the period's beginning,
    // which is what the allocation reads (the pods' lifetimes on priced nodes).
    const core = cluster.kc.makeApiClient(CoreV1Api)
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `strato.project=${NAME}` })
    for (const pod of pods.items) {
      // the client's default patch type is a JSON patch
      await core.patchNamespacedPodStatus({ name: pod.metadata!.name!, namespace, body: [{ op: 'replace', path: '/status/startTime', value: `${period.start}T00:00:00Z` }] })
    }
  },
  async labelled() {
    const objects = KubernetesObjectApi.makeApiClient(cluster.kc)
    const kinds = [['v1', 'Pod'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'PersistentVolumeClaim'], ['apps/v1', 'Deployment'], ['apps/v1', 'ReplicaSet'],
      ['policy/v1', 'PodDisruptionBudget'], ['autoscaling/v2', 'HorizontalPodAutoscaler'], ['networking.k8s.io/v1', 'Ingress']]
    const found: string[] = []
    for (const [apiVersion, kind] of kinds) {
      const list = await objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, `strato.project=${NAME}`).catch(() => ({ items: [] }))
      found.push(...list.items.filter((item) => !item.metadata?.deletionTimestamp).map((item) => `${kind} ${item.metadata?.name}`))
    }
    return found
  },
}

providerContract(harness)
