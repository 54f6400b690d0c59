/**
 * The compiled HorizontalPodAutoscaler driven by the real HPA controller:
 * the metrics adapter serves the usage the test sets through metrics.k8s.io
 * and custom.metrics.k8s.io, and the controller scales the Deployment strato
 * rendered up on CPU, and on requests per second (a Pods metric).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppsV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node'
import { parseManifest } from '../../src/manifest/load.js'
import { renderProject } from '../../providers/kubernetes/render.js'
import { eventually, useCluster, type TestCluster } from '../helpers/cluster.js'
import { startMetricsAdapter, type MetricsAdapter } from '../helpers/metrics-adapter.js'

let cluster: TestCluster
let adapter: MetricsAdapter
let objects: KubernetesObjectApi
let apps: AppsV1Api
const namespace = `strato-hpa-${process.pid}`

const manifestText = `
name: hpa-test
services:
  cpu:
    image: example/cpu:1
    port: 8080
    health: /healthz
    resources: { cpu: 0.5, memory: 128Mi }
    autoscale: { min: 2, max: 6, target: { cpu: 50 }, cooldown: 15s, stabilization: 30s }
  rps:
    image: example/rps:1
    port: 8080
    health: /healthz
    autoscale: { min: 1, max: 5, target: { requests: 100 } }
targets:
  k8s: { provider: kubernetes, namespace: ${namespace} }
`

async function replicas(name: string): Promise<number> {
  const deployment = await apps.readNamespacedDeployment({ name, namespace })
  return deployment.spec?.replicas ?? 0
}

beforeAll(async () => {
  cluster = await useCluster()
  objects = KubernetesObjectApi.makeApiClient(cluster.kc)
  apps = cluster.kc.makeApiClient(AppsV1Api)
  adapter = await startMetricsAdapter(cluster.kubeconfig)
  const { manifest } = parseManifest(manifestText, 'strato.yaml')
  const target = manifest.targets!.k8s
  if (target.provider !== 'kubernetes') throw new Error('fixture changed')
  const rendered = renderProject({ manifest, targetName: 'k8s', target, services: { cpu: { replicas: 2, version: 'v1' }, rps: { replicas: 1, version: 'v1' } } })
  for (const object of rendered.objects) {
    await objects.patch(object as KubernetesObject, undefined, undefined, 'strato', true, PatchStrategy.ServerSideApply)
  }
})

afterAll(async () => {
  await adapter?.close()
  await objects?.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }).catch(() => undefined)
  await cluster?.stop()
})

describe('HorizontalPodAutoscaler compiled from the autoscale spec', () => {
  it('scales out on CPU above the target and back in when it falls', async () => {
    await eventually('2 cpu replicas', async () => (await replicas('cpu')) === 2)
    // 400m of a 500m request: 80% against a 50% target -> ceil(2 * 80 / 50) = 4.
    adapter.setUsage(namespace, (pod) => ({ cpu: pod.metadata?.labels?.['strato.service'] === 'cpu' ? 400 : 0 }))
    await eventually('the HPA to scale cpu to 4', async () => (await replicas('cpu')) === 4)
    adapter.setUsage(namespace, () => ({ cpu: 50 }))
    await eventually('the HPA to scale cpu back to 2', async () => (await replicas('cpu')) === 2, 120_000)
    expect(adapter.requests.some((path) => path.startsWith('/apis/metrics.k8s.io/v1beta1/namespaces/'))).toBe(true)
  })

  it('scales on requests per second served as a Pods metric', async () => {
    await eventually('1 rps replica', async () => (await replicas('rps')) === 1)
    // 250 requests per second on one pod against 100 per pod -> 3 pods.
    adapter.setUsage(namespace, (pod) => ({ custom: { http_requests_per_second: pod.metadata?.labels?.['strato.service'] === 'rps' ? 250 : 0 } }))
    await eventually('the HPA to scale rps to 3', async () => (await replicas('rps')) === 3)
    expect(adapter.requests.some((path) => path.includes('/apis/custom.metrics.k8s.io/v1beta2/namespaces/'))).toBe(true)
  })
})
