/**
 * What the live checks read from a cluster: every pod and Service in the
 * target's namespace (strato's and others'), the namespace's NetworkPolicies,
 * and the cluster role bindings (read only when RBAC lets strato list them).
 */
import { fact, type KubernetesContainerFact, type TypedFact } from '../../src/checks/facts.js'
import { objectPath, type KubeApi } from './client.js'
import { isNotFound, KubeRequestError } from './errors.js'

interface SecurityContext { privileged?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; runAsUser?: number }
interface PodSpec {
  serviceAccountName?: string
  hostNetwork?: boolean
  hostPID?: boolean
  hostIPC?: boolean
  securityContext?: SecurityContext
  containers: { name: string; image: string; securityContext?: SecurityContext; resources?: { limits?: Record<string, string> } }[]
  volumes?: { name: string; hostPath?: { path: string } }[]
}
interface Pod { metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string }; spec: PodSpec; status?: { phase?: string } }
interface Service { metadata: { name: string; namespace: string }; spec: { type?: string; ports?: { port: number; targetPort?: number | string; nodePort?: number }[]; loadBalancerSourceRanges?: string[] } }
interface ClusterRoleBinding { metadata: { name: string }; roleRef: { kind: string; name: string }; subjects?: { kind: string; name: string; namespace?: string }[] }

/** Who the container runs as: an explicit uid 0, a non-root guarantee, or whatever the image says. */
export function runsAs(pod: SecurityContext | undefined, container: SecurityContext | undefined): KubernetesContainerFact['runsAs'] {
  const uid = container?.runAsUser ?? pod?.runAsUser
  if (uid === 0) return 'root'
  if (uid !== undefined || (container?.runAsNonRoot ?? pod?.runAsNonRoot) === true) return 'non-root'
  return 'image'
}

export function podFact(pod: Pod, target: string): TypedFact<'kubernetes.pod'> {
  const spec = pod.spec
  return fact('kubernetes.pod', `${pod.metadata.namespace}/${pod.metadata.name}`, target, {
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    serviceAccount: spec.serviceAccountName ?? 'default',
    hostNetwork: spec.hostNetwork === true,
    hostPID: spec.hostPID === true,
    hostIPC: spec.hostIPC === true,
    containers: spec.containers.map((container) => {
      const privileged = container.securityContext?.privileged === true
      return {
        name: container.name,
        image: container.image,
        privileged,
        // Kubernetes allows escalation unless it is switched off (and always when privileged).
        allowPrivilegeEscalation: privileged || container.securityContext?.allowPrivilegeEscalation !== false,
        runsAs: runsAs(spec.securityContext, container.securityContext),
        limits: { ...(container.resources?.limits ?? {}) },
      }
    }),
    hostPaths: (spec.volumes ?? []).filter((volume) => volume.hostPath).map((volume) => ({ name: volume.name, path: volume.hostPath!.path })),
    labels: pod.metadata.labels ?? {},
  })
}

export async function collectFacts(api: KubeApi, target: string, warn: (message: string) => void): Promise<TypedFact[]> {
  const namespace = api.namespace
  const [pods, services, policies] = await Promise.all([
    api.list<Pod>(objectPath('Pod', namespace)),
    api.list<Service>(objectPath('Service', namespace)),
    api.list<unknown>(objectPath('NetworkPolicy', namespace)),
  ])
  const facts: TypedFact[] = []
  for (const pod of pods) if (!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded') facts.push(podFact(pod, target))
  for (const service of services) {
    facts.push(fact('kubernetes.service', `${namespace}/${service.metadata.name}`, target, {
      namespace,
      name: service.metadata.name,
      type: service.spec.type ?? 'ClusterIP',
      ports: (service.spec.ports ?? []).map((port) => ({ port: port.port, targetPort: String(port.targetPort ?? port.port), ...(port.nodePort ? { nodePort: port.nodePort } : {}) })),
      sourceRanges: service.spec.loadBalancerSourceRanges ?? [],
    }))
  }
  facts.push(fact('kubernetes.namespace', namespace, target, { name: namespace, networkPolicies: policies.length }))
  try {
    for (const binding of await api.list<ClusterRoleBinding>(objectPath('ClusterRoleBinding', undefined))) {
      if (binding.roleRef.kind !== 'ClusterRole') continue
      facts.push(fact('kubernetes.clusterRoleBinding', binding.metadata.name, target, { name: binding.metadata.name, role: binding.roleRef.name, subjects: binding.subjects ?? [] }))
    }
  } catch (error) {
    // A namespaced role cannot list cluster-wide bindings: the namespace's facts still stand.
    if (!(error instanceof KubeRequestError && error.status === 403) && !isNotFound(error)) throw error
    warn(`${target}: strato may not list ClusterRoleBindings, so KUB-006 (default service account with cluster-admin) was not checked; grant list on clusterrolebindings to check it`)
  }
  return facts
}
