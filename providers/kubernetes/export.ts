/**
 * `strato export kubernetes`: the objects a kubernetes target would get, for
 * teams that deploy through GitOps (Argo CD, Flux). Secrets are never written:
 * the Deployments refer to them, and the output says which to create.
 */
import { usageError } from '../../src/errors.js'
import { desiredReplicas, effectiveTargets } from '../../src/manifest/defaults.js'
import type { KubernetesTargetConfig, Manifest, Target } from '../../src/manifest/schema.js'
import { desiredState } from '../../src/planning/desired.js'
import { objectsToYaml, renderProject, type ServicePlacement } from './render.js'
import { secretName } from './render-workload.js'
import type { KubeObject } from './objects.js'

export interface ExportResult {
  target: string
  namespace: string
  objects: KubeObject[]
  yaml: string
  /** Secrets the Deployments refer to, which the cluster must get some other way */
  secrets: { name: string; keys: string[] }[]
  warnings: string[]
}

/** The kubernetes target to export: the one named, else the first; without any, one with the defaults. */
export function exportTarget(manifest: Manifest, only: string | undefined): { name: string; target: KubernetesTargetConfig; placed: boolean } {
  const targets = effectiveTargets(manifest)
  const kubernetes = Object.entries(targets).filter((entry): entry is [string, KubernetesTargetConfig & Target] => entry[1].provider === 'kubernetes')
  if (only !== undefined) {
    const found = kubernetes.find(([name]) => name === only)
    if (!found) {
      throw usageError(`"${only}" is not a kubernetes target of this manifest.`, kubernetes.length
        ? `Use one of: ${kubernetes.map(([name]) => name).join(', ')}.`
        : 'Leave out --target to export every service with the default settings, or add a target with provider: kubernetes.')
    }
    return { name: found[0], target: found[1], placed: true }
  }
  if (kubernetes.length > 0) return { name: kubernetes[0][0], target: kubernetes[0][1], placed: true }
  return { name: 'kubernetes', target: { provider: 'kubernetes' }, placed: false }
}

export function exportKubernetes(manifest: Manifest, versions: Record<string, string>, only: string | undefined): ExportResult {
  const { name, target, placed } = exportTarget(manifest, only)
  const services: Record<string, ServicePlacement> = {}
  if (placed) {
    // The replicas placement gives this target; services placed elsewhere only are left out.
    for (const entry of desiredState(manifest, effectiveTargets(manifest), versions)) {
      if (entry.target === name && entry.replicas > 0) services[entry.service] = { replicas: entry.replicas, version: entry.version }
    }
  } else {
    for (const [service, spec] of Object.entries(manifest.services)) services[service] = { replicas: desiredReplicas(spec), version: versions[service] }
  }
  const rendered = renderProject({ manifest, targetName: name, target, services })
  const secrets = Object.keys(services)
    .filter((service) => (manifest.services[service].secrets ?? []).length > 0)
    .map((service) => ({ name: secretName(service), keys: manifest.services[service].secrets! }))
  return { target: name, namespace: rendered.namespace, objects: rendered.objects, yaml: objectsToYaml(rendered.objects), secrets, warnings: rendered.warnings }
}
