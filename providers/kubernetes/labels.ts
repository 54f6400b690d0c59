/**
 * How strato's state is written on Kubernetes objects, through the label
 * codec: project, service and version as labels (the names the other
 * providers use; valid Kubernetes label keys). Who deployed and when are
 * annotations under the codec's keys on the Deployment, because Kubernetes
 * copies a Deployment's annotations, not its labels, to each ReplicaSet, and
 * that is where releases are read back. The recommended app.kubernetes.io
 * labels are added for other tools.
 */
import type { LabelState } from '../../src/labels.js'
import { kubernetesLabelCodec } from './label-codec.js'

export const LABEL = kubernetesLabelCodec.keys

/** Annotations: the deploy stamps, and strato's own markers. */
export const ANNOTATION = {
  deployedBy: LABEL.deployedBy,
  deployedAt: LABEL.deployedAt,
  /** on a namespace strato created, so destroy removes it too */
  createdNamespace: 'strato.created-namespace',
  /** deploy or rollback: what made a revision, for releases */
  releaseKind: 'strato.release-kind',
  /** on a ReplicaSet whose rollout never became healthy and was undone: not a release */
  failed: 'strato.rollout-failed',
} as const

export const FIELD_MANAGER = 'strato'

/** The labels that pick a service's pods: never change after creation (a Deployment's selector is immutable). */
export function selectorLabels(project: string, service: string): Record<string, string> {
  return { [LABEL.project]: project, [LABEL.service]: service }
}

/** Every object strato writes for a project, optionally for one service and one version. */
export function objectLabels(project: string, service?: string, version?: string): Record<string, string> {
  // Project and service are DNS labels and versions 12 hex characters: they always fit a label value.
  const { labels } = kubernetesLabelCodec.encode({ project, ...(service ? { service } : {}), ...(version ? { version } : {}) })
  return {
    'app.kubernetes.io/managed-by': 'strato',
    'app.kubernetes.io/part-of': project,
    ...(service ? { 'app.kubernetes.io/name': service } : {}),
    ...(version ? { 'app.kubernetes.io/version': version } : {}),
    ...labels,
  }
}

/** strato's state on an object, read back through the codec (undefined when it is not strato's). */
export function stateOf(labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined): LabelState | undefined {
  return kubernetesLabelCodec.decode(labels ?? {}, annotations ?? {})
}

/** A label selector string (`a=b,c=d`) for list calls. */
export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',')
}
