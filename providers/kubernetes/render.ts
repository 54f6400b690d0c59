/**
 * A project's objects on one Kubernetes target, in apply order: the
 * namespace, each service's workload, its autoscaler and the shared Ingress.
 * Pure: the provider applies these objects, `strato export kubernetes` prints them.
 */
import { stringify } from 'yaml'
import type { KubernetesTargetConfig, Manifest, Service } from '../../src/manifest/schema.js'
import { compileHpa } from './autoscaling-compile.js'
import { objectLabels } from './labels.js'
import { APPLY_ORDER, kubeObject, type KubeObject, type RenderedKind } from './objects.js'
import { renderIngress, serviceHost, httpServices } from './render-ingress.js'
import { renderWorkload } from './render-workload.js'

export interface ServicePlacement {
  replicas: number
  version: string
  deployedAt?: string
  deployedBy?: string
  /** deploy or rollback */
  releaseKind?: string
}

export interface ProjectRenderInput {
  manifest: Manifest
  targetName: string
  target: KubernetesTargetConfig
  /** the services placed on this target */
  services: Record<string, ServicePlacement>
  /** secret values by name; left out, the Secrets are not rendered (export) */
  secretValues?: Record<string, string>
  healthTimeoutSeconds?: number
  surge?: number
}

export interface RenderedProject {
  namespace: string
  objects: KubeObject[]
  /** http://<service>.<domain> for each service with an Ingress rule */
  endpoints: Record<string, string>
  warnings: string[]
}

export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 60

/** Images that write outside /tmp (databases, proxies): their root filesystem stays writable. */
const WRITES_TO_ROOT = /(^|\/)(postgres|postgresql|mysql|mariadb|redis|valkey|mongo|nginx|haproxy|rabbitmq|elasticsearch)(:|@|$)/

export function namespaceOf(project: string, target: KubernetesTargetConfig): string {
  return target.namespace ?? project
}

/** The image a service runs: its image:, or its build pushed to the target's registry tagged with the version. */
export function renderedImage(project: string, service: string, spec: Service, version: string, registry: string | undefined): string {
  if (spec.image) return spec.image
  const name = `${project}-${service}:${version}`
  return registry ? `${registry.replace(/\/+$/, '')}/${name}` : name
}

export function renderNamespace(project: string, namespace: string): KubeObject {
  return kubeObject('Namespace', { name: namespace, labels: objectLabels(project) }, {})
}

export function renderProject(input: ProjectRenderInput): RenderedProject {
  const { manifest, target } = input
  const project = manifest.name
  const namespace = namespaceOf(project, target)
  const warnings: string[] = []
  const objects: KubeObject[] = [renderNamespace(project, namespace)]
  const names = Object.keys(input.services).filter((name) => manifest.services[name])
  for (const service of names) {
    const spec = manifest.services[service]
    const placement = input.services[service]
    if (spec.build !== undefined && !target.registry) {
      warnings.push(`services.${service} is built from source and targets.${input.targetName} names no registry; its image is ${renderedImage(project, service, spec, placement.version, undefined)}, which the cluster must already have`)
    }
    const image = renderedImage(project, service, spec, placement.version, target.registry)
    objects.push(...renderWorkload({
      project, namespace, service, spec, image,
      replicas: placement.replicas,
      version: placement.version,
      secretValues: input.secretValues,
      writableRoot: (target.writableRoot ?? []).includes(service) || (spec.image !== undefined && WRITES_TO_ROOT.test(spec.image)),
      healthTimeoutSeconds: input.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS,
      surge: input.surge ?? 1,
      deployedAt: placement.deployedAt,
      deployedBy: placement.deployedBy,
      releaseKind: placement.releaseKind,
    }))
    if (spec.autoscale) {
      const compiled = compileHpa({ project, namespace, service, policy: spec.autoscale, requestsMetric: target.requestsMetric })
      objects.push(compiled.object)
      warnings.push(...compiled.notes.map((note) => `services.${service}.autoscale: ${note}`))
    }
  }
  const ingress = renderIngress({ project, namespace, services: names, manifest, ingressClass: target.ingressClass, domain: target.domain })
  if (ingress) objects.push(ingress)
  const endpoints = Object.fromEntries(httpServices(manifest, names).map((service) => [service, `http://${serviceHost(project, service, target.domain)}`]))
  return { namespace, objects: sortForApply(objects), endpoints, warnings }
}

/** Stable apply order: by kind (what others refer to first), then as rendered. */
export function sortForApply(objects: KubeObject[]): KubeObject[] {
  const rank = (object: KubeObject) => APPLY_ORDER.indexOf(object.kind as RenderedKind)
  return objects.map((object, index) => ({ object, index })).sort((a, b) => rank(a.object) - rank(b.object) || a.index - b.index).map((entry) => entry.object)
}

/** Multi-document YAML, as `kubectl apply -f`, Argo CD and Flux read it. */
export function objectsToYaml(objects: KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n')
}
