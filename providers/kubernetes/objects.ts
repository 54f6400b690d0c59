/**
 * The Kubernetes objects strato renders, as plain data (what the API server
 * receives as JSON). Only the metadata is typed closely: the renderer builds
 * the rest and golden tests pin it down.
 */

export interface ObjectMeta {
  name: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [field: string]: unknown
}

/** The API versions strato writes, one place for each kind. */
export const API_VERSION = {
  Namespace: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  PodDisruptionBudget: 'policy/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  Ingress: 'networking.k8s.io/v1',
} as const

export type RenderedKind = keyof typeof API_VERSION

/** The order objects are applied in: what others refer to comes first. */
export const APPLY_ORDER: RenderedKind[] = [
  'Namespace', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service', 'Deployment', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'Ingress',
]

export function kubeObject(kind: RenderedKind, metadata: ObjectMeta, body: Record<string, unknown>): KubeObject {
  return { apiVersion: API_VERSION[kind], kind, metadata, ...body }
}
