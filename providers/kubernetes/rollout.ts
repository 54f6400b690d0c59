/**
 * Health-gated rollouts: after an apply, watch the Deployment until every
 * replica runs the new template and is available; a rollout that does not get
 * there within the health timeout is undone to the previous revision (the old
 * pods never stopped serving: maxUnavailable is 0), and the failure carries
 * the new pods' events and last log lines.
 */
import { UserError } from '../../src/errors.js'
import { objectPath, type KubeApi } from './client.js'
import type { DeploymentLike, PodLike } from './inventory.js'
import { selectorLabels, selectorString } from './labels.js'
import type { KubeObject } from './objects.js'

export interface RolloutTiming {
  timeoutMs: number
  pollMs: number
  signal?: AbortSignal
}

export type RolloutOutcome = { ok: true } | { ok: false; reason: string }

const REVISION = 'deployment.kubernetes.io/revision'
const HASH_LABEL = 'pod-template-hash'

export interface ReplicaSetLike {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; ownerReferences?: { kind: string; name: string }[] }
  spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> } }
  status?: { replicas?: number; readyReplicas?: number }
}

export const revisionOf = (set: ReplicaSetLike): number => Number(set.metadata.annotations?.[REVISION] ?? 0)

/** Where a Deployment's rollout stands; `done` once every replica runs the current template and is available. */
export function rolloutState(deployment: DeploymentLike): { done: boolean; stalled?: string; progress: string } {
  const wanted = deployment.spec?.replicas ?? 1
  const status = deployment.status ?? {}
  const observed = (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0)
  const stalled = status.conditions?.find((condition) => condition.type === 'Progressing' && condition.reason === 'ProgressDeadlineExceeded')
  const updated = status.updatedReplicas ?? 0
  const available = status.availableReplicas ?? 0
  const total = status.replicas ?? 0
  const progress = observed ? `${updated}/${wanted} updated, ${available} available, ${total - updated} old` : 'waiting for the Deployment controller'
  if (stalled && observed) return { done: false, stalled: stalled.message ?? 'the rollout made no progress', progress }
  return { done: observed && updated === wanted && total === wanted && available === wanted, progress }
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms)
  signal?.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
})

export async function waitForRollout(api: KubeApi, name: string, timing: RolloutTiming, onProgress: (text: string) => void = () => {}): Promise<RolloutOutcome> {
  const deadline = Date.now() + timing.timeoutMs
  let last = ''
  for (;;) {
    const deployment = await api.get<DeploymentLike>(objectPath('Deployment', api.namespace, name))
    const state = rolloutState(deployment)
    if (state.done) return { ok: true }
    if (state.stalled) return { ok: false, reason: state.stalled }
    if (state.progress !== last) onProgress(state.progress)
    last = state.progress
    if (Date.now() > deadline) return { ok: false, reason: `not every replica was available within ${Math.round(timing.timeoutMs / 1000)} s (${state.progress})` }
    if (timing.signal?.aborted) return { ok: false, reason: 'interrupted' }
    await sleep(timing.pollMs, timing.signal)
  }
}

/** The service's ReplicaSets, oldest revision first. */
export async function replicaSets(api: KubeApi, project: string, service: string): Promise<ReplicaSetLike[]> {
  const sets = await api.list<ReplicaSetLike>(objectPath('ReplicaSet', api.namespace), { labelSelector: selectorString(selectorLabels(project, service)) })
  return sets.filter((set) => set.metadata.ownerReferences?.some((owner) => owner.kind === 'Deployment' && owner.name === service)).sort((a, b) => revisionOf(a) - revisionOf(b))
}

/** The Deployment with another revision's pod template (what `kubectl rollout undo` does), ready to apply. */
export function withTemplateOf(deployment: KubeObject, set: ReplicaSetLike): KubeObject {
  const template = structuredClone(set.spec?.template ?? {})
  if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL]
  const labels = { ...deployment.metadata.labels }
  for (const [key, value] of Object.entries(template.metadata?.labels ?? {})) if (key in labels) labels[key] = value
  const spec = deployment.spec as Record<string, unknown>
  return { ...deployment, metadata: { ...deployment.metadata, labels }, spec: { ...spec, template } }
}

/** Events of the service's newest pods and their last log lines, for a failed rollout's error. */
export async function failureDetails(api: KubeApi, project: string, service: string, version: string | undefined, logLines = 5): Promise<string[]> {
  const pods = await api.list<PodLike>(objectPath('Pod', api.namespace), { labelSelector: selectorString({ ...selectorLabels(project, service), ...(version ? { 'strato.version': version } : {}) }) })
  const details: string[] = []
  for (const pod of pods.slice(0, 3)) {
    const name = pod.metadata.name
    const events = await api.list<{ reason?: string; message?: string; type?: string }>(objectPath('Event', api.namespace), { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}` }).catch(() => [])
    const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready')
    details.push(`pod ${name}: ${pod.status?.phase ?? 'unknown'}${ready ? `, Ready=${ready.status}` : ''}`)
    for (const event of events.slice(-5)) details.push(`  event ${event.type ?? ''} ${event.reason ?? ''}: ${event.message ?? ''}`.trimEnd())
    const log = await readLog(api, name, logLines)
    for (const line of log) details.push(`  log: ${line}`)
  }
  return details
}

async function readLog(api: KubeApi, pod: string, tail: number): Promise<string[]> {
  let text = ''
  try {
    await api.stream(`${objectPath('Pod', api.namespace, pod)}/log`, { tailLines: tail }, (chunk) => { text += chunk })
  } catch {
    return [] // a pod that never started has no log
  }
  return text.split('\n').filter(Boolean)
}

/** The error for a rollout that was undone: exit 1, with what the pods said. */
export function rolledBack(service: string, reason: string, restored: string | undefined, details: string[]): UserError {
  return new UserError(`The rollout of ${service} did not become healthy (${reason}); it was undone${restored ? ` to version ${restored}` : ''} and the previous pods kept serving.`, {
    code: 'failure',
    details,
    fix: 'Read the events and log lines above, fix the service (image, health path, resources), then deploy again. `strato logs` shows more.',
  })
}
