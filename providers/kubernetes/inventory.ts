/**
 * What exists for a project in the target's namespace, read back from the
 * strato labels: each pod is a replica (its version from its labels, its
 * health from its Ready condition), and every other object strato wrote is
 * listed so destroy can prove nothing is left.
 */
import type { Resource, ResourceKind } from '../../src/model.js'
import { objectPath, type KubeApi } from './client.js'
import { LABEL, selectorString, stateOf } from './labels.js'

export interface PodLike {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string }
  spec?: { nodeName?: string; containers?: { name: string; resources?: { requests?: Record<string, string> } }[] }
  status?: {
    phase?: string
    startTime?: string
    conditions?: { type: string; status: string }[]
    containerStatuses?: { restartCount?: number; ready?: boolean; state?: Record<string, { reason?: string; message?: string }> }[]
  }
}

export interface DeploymentLike {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number; creationTimestamp?: string }
  spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } }
  status?: {
    observedGeneration?: number
    replicas?: number
    updatedReplicas?: number
    readyReplicas?: number
    availableReplicas?: number
    unavailableReplicas?: number
    conditions?: { type: string; status: string; reason?: string; message?: string }[]
  }
}

export interface LabelledObject {
  kind?: string
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string }
}

/** The kinds strato writes in a namespace, listed by destroy and the inventory. */
export const OWNED_KINDS = ['Deployment', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'Ingress'] as const

export function podState(pod: PodLike): Resource['state'] {
  if (pod.metadata.deletionTimestamp) return 'stopped'
  switch (pod.status?.phase) {
    case 'Running': return 'running'
    case 'Pending': return 'pending'
    case 'Succeeded': return 'stopped'
    case 'Failed': return 'failed'
    default: return 'unknown'
  }
}

export function podHealth(pod: PodLike): NonNullable<Resource['health']> {
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready')
  if (ready?.status === 'True') return 'healthy'
  return pod.status?.phase === 'Running' ? 'unhealthy' : 'starting'
}

export function podResource(pod: PodLike, target: string): Resource {
  const labels = pod.metadata.labels ?? {}
  const state = stateOf(labels, undefined)
  return {
    id: pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`,
    kind: 'pod',
    target,
    service: state?.service,
    version: state?.version,
    location: pod.metadata.namespace,
    state: podState(pod),
    health: podHealth(pod),
    labels,
    createdAt: pod.metadata.creationTimestamp,
    details: {
      name: pod.metadata.name,
      node: pod.spec?.nodeName,
      restarts: (pod.status?.containerStatuses ?? []).reduce((sum, status) => sum + (status.restartCount ?? 0), 0),
    },
  }
}

/** The resource kind each Kubernetes kind strato writes is reported as. */
export const RESOURCE_KIND: Record<string, ResourceKind> = {
  Deployment: 'deployment', Service: 'service', ConfigMap: 'config', Secret: 'secret', PersistentVolumeClaim: 'volume',
  PodDisruptionBudget: 'disruption-budget', HorizontalPodAutoscaler: 'autoscaler', Ingress: 'ingress',
}

export function objectResource(kind: string, object: LabelledObject, target: string, endpoint?: string): Resource {
  const labels = object.metadata.labels ?? {}
  const state = stateOf(labels, object.metadata.annotations)
  return {
    id: object.metadata.uid ?? `${kind}/${object.metadata.namespace}/${object.metadata.name}`,
    kind: RESOURCE_KIND[kind],
    target,
    service: state?.service,
    version: state?.version,
    location: object.metadata.namespace,
    state: 'running',
    labels,
    ...(endpoint ? { endpoint } : {}),
    createdAt: object.metadata.creationTimestamp,
    details: { name: object.metadata.name },
  }
}

export interface Inventory {
  pods: PodLike[]
  deployments: DeploymentLike[]
  others: { kind: string; object: LabelledObject }[]
}

/** Reads the project's pods and Deployments (what status and plan need); with `everything`, every object strato writes. */
export async function readInventory(api: KubeApi, project: string, everything = false): Promise<Inventory> {
  const labelSelector = selectorString({ [LABEL.project]: project })
  const namespace = api.namespace
  const [pods, deployments, others] = await Promise.all([
    api.list<PodLike>(objectPath('Pod', namespace), { labelSelector }),
    api.list<DeploymentLike>(objectPath('Deployment', namespace), { labelSelector }),
    everything
      ? Promise.all(OWNED_KINDS.filter((kind) => kind !== 'Deployment').map(async (kind) =>
        (await api.list<LabelledObject>(objectPath(kind, namespace), { labelSelector })).map((object) => ({ kind, object }))))
      : Promise.resolve([]),
  ])
  return { pods, deployments, others: others.flat() }
}

export function toResources(inventory: Inventory, target: string, endpoints: Record<string, string>): Resource[] {
  return [
    ...inventory.pods.map((pod) => podResource(pod, target)),
    ...inventory.deployments.map((deployment) => objectResource('Deployment', deployment, target, endpoints[deployment.metadata.labels?.[LABEL.service] ?? ''])),
    ...inventory.others.map(({ kind, object }) => objectResource(kind, object, target)),
  ]
}
