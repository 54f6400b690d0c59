/**
 * destroy on a kubernetes target: delete every object labelled with the
 * project in the namespace (claims only with --volumes), wait for the pods to
 * go, delete the namespace when strato created it, then list again: what is
 * still there is reported, so "nothing left" is proven, not assumed.
 */
import type { Progress, Resource } from '../../src/model.js'
import { objectPath, type KubeApi } from './client.js'
import { deleteIfPresent } from './deployment.js'
import { isNotFound } from './errors.js'
import { readInventory, toResources } from './inventory.js'
import { ANNOTATION } from './labels.js'
import type { KubeObject } from './objects.js'

const ORDER = ['HorizontalPodAutoscaler', 'Ingress', 'PodDisruptionBudget', 'Deployment', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim']

export async function destroyProject(api: KubeApi, project: string, target: string, options: { volumes: boolean; timeoutMs: number; pollMs: number }, progress: Progress): Promise<{ removed: Record<string, number>; remaining: Resource[] }> {
  const before = await readInventory(api, project, true)
  const objects = [
    ...before.deployments.map((object) => ({ kind: 'Deployment', name: object.metadata.name })),
    ...before.others.map(({ kind, object }) => ({ kind, name: object.metadata.name })),
  ].filter((object) => options.volumes || object.kind !== 'PersistentVolumeClaim')
  const removed: Record<string, number> = {}
  for (const kind of ORDER) {
    for (const object of objects.filter((entry) => entry.kind === kind)) {
      if (await deleteIfPresent(api, kind, object.name)) removed[kind.toLowerCase()] = (removed[kind.toLowerCase()] ?? 0) + 1
    }
  }
  if (before.pods.length > 0) removed.pod = before.pods.length
  progress.step(`${target}: waiting for ${before.pods.length} pod${before.pods.length === 1 ? '' : 's'} to stop`)
  const deadline = Date.now() + options.timeoutMs
  let after = await readInventory(api, project, true)
  while (after.pods.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs))
    after = await readInventory(api, project, true)
  }
  if (await deleteNamespaceIfOurs(api, project)) {
    removed.namespace = 1
    // A terminating namespace refuses new objects: destroy ends when it is gone, so a deploy right after works.
    while (Date.now() < deadline && await namespaceExists(api)) await new Promise((resolve) => setTimeout(resolve, options.pollMs))
  }
  const remaining = toResources(after, target, {}).filter((resource) => options.volumes || resource.kind !== 'volume')
  return { removed, remaining }
}

async function namespaceExists(api: KubeApi): Promise<boolean> {
  try {
    await api.get(objectPath('Namespace', undefined, api.namespace))
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}

async function deleteNamespaceIfOurs(api: KubeApi, project: string): Promise<boolean> {
  try {
    const namespace = await api.get<KubeObject>(objectPath('Namespace', undefined, api.namespace))
    if (namespace.metadata.annotations?.[ANNOTATION.createdNamespace] !== 'true' || namespace.metadata.labels?.['strato.project'] !== project) return false
    await api.delete(objectPath('Namespace', undefined, api.namespace))
    return true
  } catch (error) {
    // Gone already, or a namespaced Role that may not read namespaces: strato did not create it then.
    if (isNotFound(error) || (error as { status?: number }).status === 403) return false
    throw error
  }
}
