/**
 * deploy on a kubernetes target: make sure the namespace exists, then per
 * action server-side apply the service's objects and watch the rollout
 * (undoing one that does not become healthy), scale through the Deployment's
 * scale subresource, delete what left the manifest; finally the shared
 * Ingress, and ConfigMaps no revision refers to any more are pruned.
 */
import { UserError } from '../../src/errors.js'
import type { KubernetesTargetConfig, Manifest } from '../../src/manifest/schema.js'
import type { Action, ApplyResult, Progress } from '../../src/model.js'
import { objectPath, type KubeApi } from './client.js'
import { isNotFound, KubeRequestError } from './errors.js'
import { ANNOTATION, LABEL, objectLabels, selectorLabels, selectorString } from './labels.js'
import type { KubeObject } from './objects.js'
import { namespaceOf, renderNamespace, renderProject, type ServicePlacement } from './render.js'
import { configMapName } from './render-workload.js'
import { failureDetails, replicaSets, revisionOf, rolledBack, waitForRollout, withTemplateOf, type ReplicaSetLike } from './rollout.js'

export interface DeployContext {
  api: KubeApi
  manifest: Manifest
  targetName: string
  target: KubernetesTargetConfig
  /** secret values come from the environment variables of the same name */
  env: NodeJS.ProcessEnv
  healthTimeoutSeconds: number
  surge: number
  pollMs: number
  deployedBy: string
  now: () => Date
  /** the image a service runs: its image:, or its build pushed to the target's registry */
  image(service: string, version: string): Promise<string>
  signal?: AbortSignal
}

const DEPLOYMENT_KINDS = new Set(['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service', 'Deployment', 'PodDisruptionBudget'])

export function secretValues(manifest: Manifest, services: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {}
  for (const service of services) {
    for (const name of manifest.services[service]?.secrets ?? []) {
      const value = env[name]
      if (value === undefined) {
        throw new UserError(`Secret ${name} of service ${service} has no value: strato reads it from the environment variable ${name}.`, {
          code: 'usage', fix: `Export ${name} (for example from your secret store) and run the command again.`,
        })
      }
      values[name] = value
    }
  }
  return values
}

/** Creates the namespace (labelled, and marked as strato's so destroy removes it) or labels the one that exists. */
export async function ensureNamespace(ctx: DeployContext, progress: Progress): Promise<void> {
  const { api, manifest } = ctx
  const name = api.namespace
  try {
    const existing = await api.get<KubeObject>(objectPath('Namespace', undefined, name))
    const namespace = renderNamespace(manifest.name, name)
    // Applying without the marker would drop it: strato's apply owns it once it created the namespace.
    const created = existing.metadata.annotations?.[ANNOTATION.createdNamespace]
    if (created) namespace.metadata.annotations = { [ANNOTATION.createdNamespace]: created }
    await api.apply(namespace)
  } catch (error) {
    if (isNotFound(error)) {
      const namespace = renderNamespace(manifest.name, name)
      namespace.metadata.annotations = { [ANNOTATION.createdNamespace]: 'true' }
      progress.step(`${ctx.targetName}: creating namespace ${name}`)
      await api.apply(namespace)
      return
    }
    // A namespaced Role cannot read namespaces: the namespace exists if strato may work in it.
    if (error instanceof KubeRequestError && error.status === 403) return
    throw error
  }
}

async function existingDeployment(api: KubeApi, service: string): Promise<KubeObject | undefined> {
  try {
    return await api.get<KubeObject>(objectPath('Deployment', api.namespace, service))
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

function renderService(ctx: DeployContext, service: string, placement: ServicePlacement, image: string): KubeObject[] {
  const rendered = renderProject({
    manifest: ctx.manifest, targetName: ctx.targetName, target: { ...ctx.target, registry: undefined },
    services: { [service]: placement },
    secretValues: secretValues(ctx.manifest, [service], ctx.env),
    healthTimeoutSeconds: ctx.healthTimeoutSeconds, surge: ctx.surge,
  })
  return rendered.objects.filter((object) => DEPLOYMENT_KINDS.has(object.kind)).map((object) => {
    if (object.kind !== 'Deployment') return object
    const spec = structuredClone(object.spec) as { template: { spec: { containers: { image: string }[] } } }
    spec.template.spec.containers[0].image = image
    return { ...object, spec }
  })
}

/** Applies one service's objects at `replicas` and `version`, then watches the rollout; undoes it when it fails. */
async function deployService(ctx: DeployContext, service: string, replicas: number, version: string, at: string, progress: Progress): Promise<void> {
  const before = await existingDeployment(ctx.api, service)
  const image = await ctx.image(service, version)
  // The version that already runs, applied again, is not a new release: its stamps stay, so the apply changes nothing.
  const same = before?.metadata.labels?.[LABEL.version] === version ? before.metadata.annotations ?? {} : undefined
  const placement: ServicePlacement = {
    replicas, version,
    deployedAt: same?.[ANNOTATION.deployedAt] ?? at,
    deployedBy: same?.[ANNOTATION.deployedBy] ?? ctx.deployedBy,
    releaseKind: same?.[ANNOTATION.releaseKind] ?? 'deploy',
  }
  const objects = renderService(ctx, service, placement, image)
  progress.step(`${ctx.targetName} ${service}: applying ${objects.map((object) => object.kind).join(', ')} (version ${version}, ${replicas} replica${replicas === 1 ? '' : 's'})`)
  for (const object of objects) if (object.kind !== 'Deployment') await ctx.api.apply(object)
  if (replicas <= 1) await deleteIfPresent(ctx.api, 'PodDisruptionBudget', service)
  await rollOut(ctx, service, objects.find((object) => object.kind === 'Deployment')!, before, version, progress)
}

/**
 * Applies a Deployment and waits until every replica of `version` is available;
 * on failure the previous revision is put back (its pods never stopped) and the
 * error carries the new pods' events and log lines.
 */
async function rollOut(ctx: DeployContext, service: string, deployment: KubeObject, before: KubeObject | undefined, version: string, progress: Progress): Promise<void> {
  const { api } = ctx
  const replicas = (deployment.spec as { replicas?: number }).replicas ?? 1
  await api.apply(deployment)
  const timing = { timeoutMs: ctx.healthTimeoutSeconds * 1000, pollMs: ctx.pollMs, signal: ctx.signal }
  const outcome = await waitForRollout(api, service, timing, (text) => progress.step(`${ctx.targetName} ${service}: ${text}`))
  if (outcome.ok) {
    // A template that failed once and now turns healthy reuses its ReplicaSet: it is a release again.
    const current = (await replicaSets(api, ctx.manifest.name, service)).at(-1)
    if (current?.metadata.annotations?.[ANNOTATION.failed]) {
      await api.patch(objectPath('ReplicaSet', api.namespace, current.metadata.name), { metadata: { annotations: { [ANNOTATION.failed]: null } } }, 'merge')
    }
    progress.done(`${ctx.targetName} ${service}: ${replicas} replica${replicas === 1 ? '' : 's'} of ${version} available`)
    return
  }
  const details = await failureDetails(api, ctx.manifest.name, service, version).catch(() => [])
  // Nothing ran before: there is no previous revision to return to, only the failure to report.
  if (!before) throw rolledBack(service, outcome.reason, undefined, details)
  const sets = await replicaSets(api, ctx.manifest.name, service)
  // The failed revision stays in the history (Kubernetes keeps it); marked, releases leave it out.
  const failed = sets.at(-1)
  if (failed?.spec?.template?.metadata?.labels?.[LABEL.version] === version) {
    await api.patch(objectPath('ReplicaSet', api.namespace, failed.metadata.name), { metadata: { annotations: { [ANNOTATION.failed]: 'true' } } }, 'merge')
  }
  const previous = sets.filter((set) => set.spec?.template?.metadata?.labels?.[LABEL.version] !== version && set.metadata.annotations?.[ANNOTATION.failed] !== 'true').at(-1)
  if (!previous) throw rolledBack(service, outcome.reason, undefined, details)
  const restored = previous.spec?.template?.metadata?.labels?.[LABEL.version]
  progress.warn(`${ctx.targetName} ${service}: rollout failed (${outcome.reason}); undoing to revision ${revisionOf(previous)} (version ${restored})`)
  const annotations = pickStrato(before.metadata.annotations ?? {})
  await api.apply(withTemplateOf({ ...deployment, metadata: { ...deployment.metadata, annotations } }, previous))
  await waitForRollout(api, service, timing)
  throw rolledBack(service, outcome.reason, restored, details)
}

/** Health-gated return of one service to an earlier revision's pod template, stamped as a new deploy. */
export async function rollbackService(ctx: DeployContext, service: string, set: ReplicaSetLike, at: string, progress: Progress): Promise<void> {
  const before = await existingDeployment(ctx.api, service)
  const version = set.spec?.template?.metadata?.labels?.[LABEL.version] ?? 'unknown'
  const replicas = (before?.spec as { replicas?: number } | undefined)?.replicas ?? set.spec?.replicas ?? 1
  const image = ((set.spec?.template?.spec?.containers ?? []) as { image: string }[])[0]?.image ?? ''
  const objects = renderService(ctx, service, { replicas, version, deployedAt: at, deployedBy: ctx.deployedBy, releaseKind: 'rollback' }, image)
  progress.step(`${ctx.targetName} ${service}: rolling back to version ${version} (revision ${revisionOf(set)})`)
  await rollOut(ctx, service, withTemplateOf(objects.find((object) => object.kind === 'Deployment')!, set), before, version, progress)
}

function pickStrato(annotations: Record<string, string>): Record<string, string> {
  const kept = new Set<string>([ANNOTATION.deployedAt, ANNOTATION.deployedBy, ANNOTATION.releaseKind])
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => kept.has(key)))
}

/** Sets a running service's replicas through the scale subresource: the pod template (and so the version) is untouched. */
export async function scaleService(ctx: DeployContext, service: string, replicas: number, progress: Progress): Promise<void> {
  const { api } = ctx
  await api.patch(`${objectPath('Deployment', api.namespace, service)}/scale`, { spec: { replicas } }, 'merge')
  if (replicas > 1) {
    await api.apply({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
      metadata: { name: service, namespace: api.namespace, labels: objectLabels(ctx.manifest.name, service) },
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(ctx.manifest.name, service) } },
    })
  } else {
    await deleteIfPresent(api, 'PodDisruptionBudget', service)
  }
  const outcome = await waitForRollout(api, service, { timeoutMs: ctx.healthTimeoutSeconds * 1000, pollMs: ctx.pollMs, signal: ctx.signal })
  if (!outcome.ok) throw new UserError(`Scaling ${service} to ${replicas} did not finish (${outcome.reason}).`, { code: 'failure', fix: 'Check the cluster has room for the pods (`kubectl describe pods`), or scale to fewer replicas.' })
  progress.done(`${ctx.targetName} ${service}: ${replicas} replica${replicas === 1 ? '' : 's'}`)
}

export async function deleteIfPresent(api: KubeApi, kind: string, name: string): Promise<boolean> {
  try {
    await api.delete(objectPath(kind, api.namespace, name), { propagationPolicy: 'Background' })
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}

/** Removes a service's objects (all labelled with its name), its autoscaler included. */
export async function deleteService(ctx: DeployContext, service: string, progress: Progress): Promise<void> {
  const { api } = ctx
  const labelSelector = selectorString(selectorLabels(ctx.manifest.name, service))
  for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Deployment', 'Service', 'ConfigMap', 'Secret']) {
    for (const object of await api.list<KubeObject>(objectPath(kind, api.namespace), { labelSelector })) await deleteIfPresent(api, kind, object.metadata.name)
  }
  progress.done(`${ctx.targetName} ${service}: removed`)
}

/** ConfigMaps of versions that no ReplicaSet of the service refers to any more. */
async function pruneConfigMaps(ctx: DeployContext, service: string): Promise<void> {
  const { api } = ctx
  const sets = await replicaSets(api, ctx.manifest.name, service)
  const inUse = new Set(sets.map((set) => configMapName(service, set.spec?.template?.metadata?.labels?.[LABEL.version] ?? '')))
  const maps = await api.list<KubeObject>(objectPath('ConfigMap', api.namespace), { labelSelector: selectorString(selectorLabels(ctx.manifest.name, service)) })
  for (const map of maps) if (!inUse.has(map.metadata.name)) await deleteIfPresent(api, 'ConfigMap', map.metadata.name)
}

async function applyIngress(ctx: DeployContext, services: string[]): Promise<Record<string, string>> {
  const placements = Object.fromEntries(services.map((service) => [service, { replicas: 1, version: 'unused' }]))
  const rendered = renderProject({ manifest: ctx.manifest, targetName: ctx.targetName, target: ctx.target, services: placements })
  const ingress = rendered.objects.find((object) => object.kind === 'Ingress')
  if (ingress) await ctx.api.apply(ingress)
  else await deleteIfPresent(ctx.api, 'Ingress', ctx.manifest.name)
  return rendered.endpoints
}

export async function applyActions(ctx: DeployContext, actions: Action[], progress: Progress): Promise<ApplyResult> {
  if (ctx.api.namespace !== namespaceOf(ctx.manifest.name, ctx.target)) throw new Error('the connection is to another namespace than the target\'s')
  await ensureNamespace(ctx, progress)
  const applied: Action[] = []
  // One moment for every service this deploy changes: releases group by it.
  const at = ctx.now().toISOString()
  for (const action of actions) {
    const version = action.toVersion ?? action.fromVersion
    if ((action.kind === 'create' || action.kind === 'update') && version) {
      await deployService(ctx, action.service, action.to ?? 1, version, at, progress)
      await pruneConfigMaps(ctx, action.service)
    } else if (action.kind === 'scale') {
      await scaleService(ctx, action.service, action.to ?? 0, progress)
    } else if (action.kind === 'delete') {
      await deleteService(ctx, action.service, progress)
    } else {
      continue
    }
    applied.push(action)
  }
  const placed = actions.filter((action) => action.kind !== 'delete' && (action.to ?? 0) > 0).map((action) => action.service)
  const endpoints = await applyIngress(ctx, placed)
  return { applied, endpoints, warnings: [] }
}
