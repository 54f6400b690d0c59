/**
 * A small metrics adapter for the test cluster: an HTTPS server registered
 * through APIServices as metrics.k8s.io (pod CPU and memory) and
 * custom.metrics.k8s.io (per-pod metrics such as requests per second), so the
 * real HPA controller reads the usage a test sets and is seen to act.
 * Simulated pods use nothing, so the test says what each pod uses.
 */
import { createServer, type Server } from 'node:https'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject, type V1Pod } from '@kubernetes/client-node'

export interface PodUsage {
  /** millicores */
  cpu?: number
  /** bytes */
  memory?: number
  /** per-pod custom metrics by name, e.g. http_requests_per_second */
  custom?: Record<string, number>
}

export interface MetricsAdapter {
  /** sets what each pod of a namespace uses from now on */
  setUsage(namespace: string, usage: (pod: V1Pod) => PodUsage): void
  /** requests the API server proxied to the adapter, by path */
  readonly requests: string[]
  close(): Promise<void>
}

const SERVICE = { namespace: 'kube-system', name: 'strato-test-metrics' }

async function certificate(dir: string): Promise<{ key: string; cert: string }> {
  const host = `${SERVICE.name}.${SERVICE.namespace}.svc`
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-days', '2', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host},DNS:localhost`])
  return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') }
}

function podsIn(url: URL): { namespace: string; labelSelector?: string; name?: string } | undefined {
  const match = /^\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/.exec(url.pathname)
  return match ? { namespace: match[1], name: match[2], labelSelector: url.searchParams.get('labelSelector') ?? undefined } : undefined
}

function customIn(url: URL): { namespace: string; metric: string; labelSelector?: string } | undefined {
  // client-go escapes the * of "every pod" as %2A
  const match = /^\/apis\/custom\.metrics\.k8s\.io\/v1beta2\/namespaces\/([^/]+)\/pods\/(?:\*|%2A)\/([^/]+)$/i.exec(url.pathname)
  return match ? { namespace: match[1], metric: match[2], labelSelector: url.searchParams.get('labelSelector') ?? undefined } : undefined
}

const DISCOVERY: Record<string, unknown> = {
  '/apis/metrics.k8s.io/v1beta1': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'metrics.k8s.io/v1beta1',
    resources: [{ name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] }],
  },
  '/apis/custom.metrics.k8s.io/v1beta2': {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'custom.metrics.k8s.io/v1beta2',
    resources: [{ name: 'pods/*', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'] }],
  },
}

export async function startMetricsAdapter(kubeconfigPath: string): Promise<MetricsAdapter> {
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  const core = kc.makeApiClient(CoreV1Api)
  const objects = KubernetesObjectApi.makeApiClient(kc)
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-metrics-'))
  const tls = await certificate(dir)
  const usageBy = new Map<string, (pod: V1Pod) => PodUsage>()
  const requests: string[] = []

  const running = async (namespace: string, labelSelector?: string, name?: string) => {
    const list = await core.listNamespacedPod({ namespace, labelSelector })
    return list.items.filter((pod) => pod.status?.phase === 'Running' && (!name || pod.metadata?.name === name))
  }

  const server: Server = createServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://adapter')
    requests.push(url.pathname)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const now = new Date().toISOString()
    void (async () => {
      if (DISCOVERY[url.pathname]) return send(200, DISCOVERY[url.pathname])
      const pods = podsIn(url)
      if (pods) {
        const usage = usageBy.get(pods.namespace)
        const items = (await running(pods.namespace, pods.labelSelector, pods.name)).map((pod) => {
          const used = usage?.(pod) ?? {}
          return {
            metadata: { name: pod.metadata!.name, namespace: pods.namespace, labels: pod.metadata!.labels, creationTimestamp: now },
            timestamp: now,
            window: '1s',
            containers: (pod.spec?.containers ?? []).map((container) => ({ name: container.name, usage: { cpu: `${Math.round(used.cpu ?? 0)}m`, memory: `${Math.round(used.memory ?? 0)}` } })),
          }
        })
        if (pods.name) return items[0] ? send(200, { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...items[0] }) : send(404, { kind: 'Status', status: 'Failure', code: 404 })
        return send(200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items })
      }
      const custom = customIn(url)
      if (custom) {
        const usage = usageBy.get(custom.namespace)
        const items = (await running(custom.namespace, custom.labelSelector)).map((pod) => ({
          describedObject: { kind: 'Pod', namespace: custom.namespace, name: pod.metadata!.name, apiVersion: '/v1' },
          metric: { name: custom.metric },
          timestamp: now,
          windowSeconds: 1,
          value: String(Math.round((usage?.(pod).custom?.[custom.metric] ?? 0) * 1000)) + 'm',
        }))
        return send(200, { kind: 'MetricValueList', apiVersion: 'custom.metrics.k8s.io/v1beta2', metadata: {}, items })
      }
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `the test metrics adapter serves no ${url.pathname}` })
    })().catch((error: Error) => send(500, { kind: 'Status', status: 'Failure', code: 500, message: error.message }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port

  // An ExternalName service resolves to localhost: the aggregator dials it directly, no cluster network needed.
  const registered: KubernetesObject[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: { ...SERVICE }, spec: { type: 'ExternalName', externalName: 'localhost' } } as KubernetesObject,
    ...[['metrics.k8s.io', 'v1beta1'], ['custom.metrics.k8s.io', 'v1beta2']].map(([group, version]) => ({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `${version}.${group}` },
      spec: { group, version, service: { ...SERVICE, port }, caBundle: Buffer.from(tls.cert).toString('base64'), groupPriorityMinimum: 100, versionPriority: 100 },
    }) as KubernetesObject),
  ]
  for (const object of registered) await objects.patch(object, undefined, undefined, 'strato-tests', true, PatchStrategy.ServerSideApply)

  return {
    setUsage: (namespace, usage) => { usageBy.set(namespace, usage) },
    requests,
    async close() {
      for (const object of registered.reverse()) await objects.delete(object).catch(() => undefined)
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
