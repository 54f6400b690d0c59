/**
 * What one service becomes on Kubernetes: a Deployment (health-gated rolling
 * update, probes, requests and limits, non-root), a Service, its environment in
 * a ConfigMap, its secrets in a Secret, claims for its named volumes and a
 * PodDisruptionBudget when more than one replica runs. Pure: data in, objects out.
 */
import type { Service } from '../../src/manifest/schema.js'
import { sizeBytes } from '../../src/manifest/units.js'
import { usageError } from '../../src/errors.js'
import { ANNOTATION, objectLabels, selectorLabels } from './labels.js'
import { kubeObject, type KubeObject } from './objects.js'

export interface WorkloadInput {
  project: string
  namespace: string
  service: string
  spec: Service
  replicas: number
  version: string
  image: string
  /** secret values by name; without them the Secret is left out (export) and must exist in the cluster */
  secretValues?: Record<string, string>
  /** the image writes outside /tmp, so the root filesystem stays writable */
  writableRoot: boolean
  /** seconds a rollout may go without progress before Kubernetes reports it stalled */
  healthTimeoutSeconds: number
  /** new pods started together in each rollout step */
  surge: number
  deployedAt?: string
  deployedBy?: string
  releaseKind?: string
}

const DEFAULT_CPU = 0.1
const DEFAULT_MEMORY = '128Mi'
const PROBE_PERIOD_SECONDS = 5

/** The ConfigMap name carries the version, so a rolled-back Deployment gets the environment it was deployed with. */
export function configMapName(service: string, version: string): string {
  return `${service}-env-${version}`
}

export function secretName(service: string): string {
  return `${service}-secrets`
}

/** Kubernetes quantities: CPUs in millicores, sizes with Kubernetes' suffixes (lowercase k for 1000). */
export function cpuQuantity(cpus: number): string {
  return `${Math.round(cpus * 1000)}m`
}

export function memoryQuantity(size: string): string {
  // strato's sizes are Kubernetes quantities already, except that Kubernetes writes kilo as a lowercase k.
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(size.trim())
  if (!match) return String(sizeBytes(size))
  return `${match[1]}${match[2] === 'K' ? 'k' : (match[2] ?? '')}`
}

/** Named volumes as `NAME:/path`: each one a PersistentVolumeClaim mounted at the path. */
export function volumeMounts(spec: Service): { claim: string; path: string }[] {
  return (spec.volumes ?? []).map((entry) => {
    const at = entry.indexOf(':')
    return { claim: entry.slice(0, at), path: entry.slice(at + 1).split(':')[0] }
  })
}

function numericUser(user: string | undefined): { uid?: number; gid?: number } {
  const match = /^(\d+)(?::(\d+))?$/.exec(user ?? '')
  return match ? { uid: Number(match[1]), gid: match[2] === undefined ? undefined : Number(match[2]) } : {}
}

/** The container and Service port's name: http for services with a health path (the Ingress routes to it), tcp otherwise. */
export function portName(spec: Service): 'http' | 'tcp' {
  return spec.health ? 'http' : 'tcp'
}

function probes(spec: Service, healthTimeoutSeconds: number): Record<string, unknown> {
  if (spec.port === undefined) return {}
  const check = spec.health ? { httpGet: { path: spec.health, port: 'http' } } : { tcpSocket: { port: 'tcp' } }
  return {
    // The start-up probe gives a new pod the health timeout to come up; liveness only takes over after it.
    startupProbe: { ...check, periodSeconds: PROBE_PERIOD_SECONDS, failureThreshold: Math.max(1, Math.ceil(healthTimeoutSeconds / PROBE_PERIOD_SECONDS)) },
    readinessProbe: { ...check, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds: 2, failureThreshold: 3 },
    livenessProbe: { ...check, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
  }
}

function deployment(input: WorkloadInput): KubeObject {
  const { project, service, spec, version } = input
  const { uid, gid } = numericUser(spec.user)
  const root = uid === 0
  const cpu = cpuQuantity(spec.resources?.cpu ?? DEFAULT_CPU)
  const memory = memoryQuantity(spec.resources?.memory ?? DEFAULT_MEMORY)
  const mounts = volumeMounts(spec)
  const readOnlyRoot = !input.writableRoot && !spec.privileged
  const env = (spec.secrets ?? []).map((name) => ({ name, valueFrom: { secretKeyRef: { name: secretName(service), key: name } } }))
  const container: Record<string, unknown> = {
    name: service,
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    ...(spec.command ? { args: spec.command } : {}),
    ...(spec.port !== undefined ? { ports: [{ name: portName(spec), containerPort: spec.port, protocol: 'TCP' }] } : {}),
    ...(spec.env && Object.keys(spec.env).length > 0 ? { envFrom: [{ configMapRef: { name: configMapName(service, version) } }] } : {}),
    ...(env.length > 0 ? { env } : {}),
    resources: { requests: { cpu, memory }, limits: { cpu, memory } },
    ...probes(spec, input.healthTimeoutSeconds),
    securityContext: spec.privileged
      ? { privileged: true, allowPrivilegeEscalation: true }
      : { allowPrivilegeEscalation: false, readOnlyRootFilesystem: readOnlyRoot, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      ...(readOnlyRoot ? [{ name: 'tmp', mountPath: '/tmp' }] : []),
      ...mounts.map((mount) => ({ name: mount.claim, mountPath: mount.path })),
    ],
  }
  if ((container.volumeMounts as unknown[]).length === 0) delete container.volumeMounts
  const volumes = [
    ...(readOnlyRoot ? [{ name: 'tmp', emptyDir: {} }] : []),
    ...mounts.map((mount) => ({ name: mount.claim, persistentVolumeClaim: { claimName: mount.claim } })),
  ]
  const annotations = {
    ...(input.deployedBy ? { [ANNOTATION.deployedBy]: input.deployedBy } : {}),
    ...(input.deployedAt ? { [ANNOTATION.deployedAt]: input.deployedAt } : {}),
    ...(input.releaseKind ? { [ANNOTATION.releaseKind]: input.releaseKind } : {}),
  }
  return kubeObject('Deployment', {
    name: service,
    namespace: input.namespace,
    labels: objectLabels(project, service, version),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  }, {
    spec: {
      replicas: input.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: input.healthTimeoutSeconds,
      selector: { matchLabels: selectorLabels(project, service) },
      // A volume attaches to one pod at a time, so a service with volumes is replaced, not overlapped.
      strategy: mounts.length > 0
        ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: input.surge } },
      template: {
        metadata: { labels: objectLabels(project, service, version) },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(spec.network === 'host' ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
          securityContext: {
            runAsNonRoot: !root,
            ...(uid !== undefined ? { runAsUser: uid } : {}),
            ...(gid !== undefined ? { runAsGroup: gid, fsGroup: gid } : {}),
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
          ...(volumes.length > 0 ? { volumes } : {}),
        },
      },
    },
  })
}

/** The objects for one service, in apply order. */
export function renderWorkload(input: WorkloadInput): KubeObject[] {
  const { project, service, spec, version, namespace } = input
  const objects: KubeObject[] = []
  if (spec.env && Object.keys(spec.env).length > 0) {
    const data = Object.fromEntries(Object.entries(spec.env).map(([key, value]) => [key, String(value)]))
    objects.push(kubeObject('ConfigMap', { name: configMapName(service, version), namespace, labels: objectLabels(project, service, version) }, { immutable: true, data }))
  }
  if (input.secretValues && (spec.secrets ?? []).length > 0) {
    const data = Object.fromEntries((spec.secrets ?? []).map((name) => {
      const value = input.secretValues![name]
      if (value === undefined) throw usageError(`Secret ${name} of service ${service} has no value: it comes from the environment variable of the same name.`, `Export ${name} before running strato, e.g. from your secret store.`)
      return [name, Buffer.from(value, 'utf8').toString('base64')]
    }))
    objects.push(kubeObject('Secret', { name: secretName(service), namespace, labels: objectLabels(project, service) }, { type: 'Opaque', data }))
  }
  for (const mount of volumeMounts(spec)) {
    objects.push(kubeObject('PersistentVolumeClaim', { name: mount.claim, namespace, labels: objectLabels(project, service) }, {
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }))
  }
  if (spec.port !== undefined) {
    objects.push(kubeObject('Service', { name: service, namespace, labels: objectLabels(project, service) }, {
      spec: { type: 'ClusterIP', selector: selectorLabels(project, service), ports: [{ name: portName(spec), port: spec.port, targetPort: portName(spec), protocol: 'TCP' }] },
    }))
  }
  objects.push(deployment(input))
  if (input.replicas > 1) {
    objects.push(kubeObject('PodDisruptionBudget', { name: service, namespace, labels: objectLabels(project, service) }, {
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(project, service) } },
    }))
  }
  return objects
}
