/**
 * How strato's state is written on Kubernetes objects. Label keys keep the
 * names the other providers use (`strato.project`, valid Kubernetes label
 * keys); values that labels cannot hold (timestamps, user names) go to
 * annotations. The recommended app.kubernetes.io labels are added for other tools.
 */
import { LABEL } from '../../src/model.js'

export { LABEL }

/** Annotations for what labels cannot hold, and strato's own markers. */
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
  return {
    'app.kubernetes.io/managed-by': 'strato',
    'app.kubernetes.io/part-of': project,
    ...(service ? { 'app.kubernetes.io/name': service } : {}),
    ...(version ? { 'app.kubernetes.io/version': version } : {}),
    [LABEL.project]: project,
    ...(service ? { [LABEL.service]: service } : {}),
    ...(version ? { [LABEL.version]: version } : {}),
  }
}

/** A label selector string (`a=b,c=d`) for list calls. */
export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',')
}
