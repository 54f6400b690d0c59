/**
 * One Ingress per target and project with a rule per HTTP service (a service
 * with a health path), like the shared balancer of the other providers: each
 * service is served at <service>.<domain>, through the target's ingress class.
 */
import { isPublic } from '../../src/exposure.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { objectLabels } from './labels.js'
import { kubeObject, type KubeObject } from './objects.js'

export interface IngressInput {
  project: string
  namespace: string
  /** services placed on this target */
  services: string[]
  manifest: Manifest
  ingressClass?: string
  domain?: string
}

export function ingressDomain(project: string, domain: string | undefined): string {
  return domain ?? `${project}.local`
}

export function serviceHost(project: string, service: string, domain: string | undefined): string {
  return `${service}.${ingressDomain(project, domain)}`
}

/** The services a rule is written for: the public ones (src/exposure.ts); private ones keep their ClusterIP Service only. */
export function httpServices(manifest: Manifest, services: string[]): string[] {
  return services.filter((name) => manifest.services[name] !== undefined && isPublic(manifest.services[name]))
}

/** Balancing hints ingress-nginx understands; other controllers balance their own way. */
function nginxAnnotations(manifest: Manifest, ingressClass: string | undefined): Record<string, string> {
  const lb = manifest.loadBalancer
  if (ingressClass !== 'nginx' || lb?.algorithm !== 'consistent-hash' || !lb.hashOn) return {}
  const key = 'header' in lb.hashOn ? `$http_${lb.hashOn.header.toLowerCase().replace(/-/g, '_')}` : `$cookie_${lb.hashOn.cookie}`
  return { 'nginx.ingress.kubernetes.io/upstream-hash-by': key }
}

export function renderIngress(input: IngressInput): KubeObject | undefined {
  const served = httpServices(input.manifest, input.services)
  if (served.length === 0) return undefined
  const annotations = nginxAnnotations(input.manifest, input.ingressClass)
  return kubeObject('Ingress', {
    name: input.project,
    namespace: input.namespace,
    labels: objectLabels(input.project),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  }, {
    spec: {
      ...(input.ingressClass ? { ingressClassName: input.ingressClass } : {}),
      rules: served.map((service) => ({
        host: serviceHost(input.project, service, input.domain),
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { name: 'http' } } } }] },
      })),
    },
  })
}
