/** Live rules over a Kubernetes namespace (KUB-*): read kubernetes.pod, .service, .namespace and .clusterRoleBinding facts. */
import { defineRule, type Reference, type Rule } from '../types.js'
import { DATABASE_PORTS } from './services.js'

const cis = (id: string, title: string): Reference => ({ standard: 'CIS Kubernetes Benchmark v1.9.0', id, title })
const pss = (id: string): Reference => ({ standard: 'Kubernetes Pod Security Standards', id })
const SOCKETS = /(^|\/)(docker|podman|containerd|crio|cri-dockerd)\.sock$/

export const kubernetesRules: Rule[] = [
  defineRule({
    id: 'KUB-001', pack: 'kubernetes', severity: 'critical', reads: ['kubernetes.pod'],
    title: 'Privileged container running',
    rationale: 'A privileged container has every capability and the node\'s devices: escaping to the node is trivial.',
    remediation: 'Remove `privileged: true` from the service in strato.yaml (or securityContext.privileged from the pod) and add only the capabilities it needs.',
    references: [cis('5.2.2', 'Minimize the admission of privileged containers'), pss('baseline: Privileged Containers')],
    check({ data }) {
      return data.containers.filter((container) => container.privileged)
        .map((container) => ({ message: `Container ${container.name} of pod ${data.namespace}/${data.name} (${container.image}) runs privileged.` }))
    },
  }),
  defineRule({
    id: 'KUB-002', pack: 'kubernetes', severity: 'high', reads: ['kubernetes.pod'],
    title: 'Pod shares the node\'s network, process or IPC namespace',
    rationale: 'hostNetwork reaches every node-local service and sniffs traffic; hostPID sees and signals every process on the node; hostIPC reads its shared memory.',
    remediation: 'Remove `network: host` from the service in strato.yaml (or hostNetwork/hostPID/hostIPC from the pod); publish through a Service instead.',
    references: [cis('5.2.3', 'Minimize the admission of containers wishing to share the host process ID namespace'), cis('5.2.4', 'Minimize the admission of containers wishing to share the host IPC namespace'), cis('5.2.5', 'Minimize the admission of containers wishing to share the host network namespace')],
    check({ data }) {
      const shared = [data.hostNetwork && 'network', data.hostPID && 'process (PID)', data.hostIPC && 'IPC'].filter(Boolean)
      return shared.length ? [{ message: `Pod ${data.namespace}/${data.name} shares the node's ${shared.join(', ')} namespace${shared.length > 1 ? 's' : ''}.` }] : []
    },
  }),
  defineRule({
    id: 'KUB-003', pack: 'kubernetes', severity: 'medium', reads: ['kubernetes.pod'],
    title: 'Container may run as root',
    rationale: 'Without runAsNonRoot or a non-zero runAsUser the image decides, and most images run as uid 0: an escape is then root on the node.',
    remediation: 'strato sets runAsNonRoot on what it deploys; give the image a numeric non-root USER (or `user: "1000"` in strato.yaml), and set runAsNonRoot on other workloads.',
    references: [cis('5.2.7', 'Minimize the admission of root containers'), pss('restricted: Running as Non-root')],
    check({ data }) {
      return data.containers.filter((container) => container.runsAs !== 'non-root').map((container) => ({
        message: container.runsAs === 'root'
          ? `Container ${container.name} of pod ${data.namespace}/${data.name} runs as root (uid 0).`
          : `Container ${container.name} of pod ${data.namespace}/${data.name} sets neither runAsNonRoot nor a user: the image ${container.image} decides.`,
      }))
    },
  }),
  defineRule({
    id: 'KUB-004', pack: 'kubernetes', severity: 'medium', reads: ['kubernetes.pod'],
    title: 'Container without resource limits',
    rationale: 'A container without a memory limit can exhaust its node and get its neighbours evicted; without a CPU limit it can starve them.',
    remediation: 'Set `resources: { cpu, memory }` in strato.yaml (strato renders them as requests and limits), or a LimitRange in the namespace.',
    // The CIS benchmark has no control for limits; the NSA/CISA guidance does.
    references: [{ standard: 'NSA/CISA Kubernetes Hardening Guidance v1.2', id: 'Pod security: resource requests and limits' }],
    check({ data }) {
      return data.containers.filter((container) => !container.limits.memory || !container.limits.cpu).map((container) => ({
        message: `Container ${container.name} of pod ${data.namespace}/${data.name} has no ${[!container.limits.cpu && 'CPU', !container.limits.memory && 'memory'].filter(Boolean).join(' or ')} limit.`,
      }))
    },
  }),
  defineRule({
    id: 'KUB-005', pack: 'kubernetes', severity: 'high', reads: ['kubernetes.pod'],
    title: 'Container runtime socket or hostPath mounted',
    rationale: 'A runtime socket lets the pod start privileged containers on the node; any hostPath exposes the node\'s files to the pod (and writes to them).',
    remediation: 'Use a PersistentVolumeClaim or an emptyDir instead of hostPath; never mount the container runtime\'s socket.',
    references: [cis('5.2.12', 'Minimize the admission of HostPath volumes'), pss('baseline: HostPath Volumes')],
    check({ data }) {
      return data.hostPaths.map((volume) => ({
        message: SOCKETS.test(volume.path)
          ? `Pod ${data.namespace}/${data.name} mounts the container runtime socket ${volume.path}: it can take over the node.`
          : `Pod ${data.namespace}/${data.name} mounts the node's ${volume.path} (volume ${volume.name}).`,
      }))
    },
  }),
  defineRule({
    id: 'KUB-006', pack: 'kubernetes', severity: 'critical', reads: ['kubernetes.clusterRoleBinding'],
    title: 'A default service account holds cluster-admin',
    rationale: 'Every pod that does not name a service account runs as its namespace\'s default one: with cluster-admin, any of them owns the cluster.',
    remediation: 'Delete the binding; give the workload that needs API access its own service account bound to a Role with only what it uses.',
    references: [cis('5.1.1', 'Ensure that the cluster-admin role is only used where required'), cis('5.1.5', 'Ensure that default service accounts are not actively used')],
    check({ data }) {
      if (data.role !== 'cluster-admin') return []
      return data.subjects.filter((subject) => subject.kind === 'ServiceAccount' && subject.name === 'default')
        .map((subject) => ({ message: `ClusterRoleBinding ${data.name} gives cluster-admin to the default service account of namespace ${subject.namespace ?? '?'}.` }))
    },
  }),
  defineRule({
    id: 'KUB-007', pack: 'kubernetes', severity: 'high', reads: ['kubernetes.service'],
    title: 'Database port exposed through a LoadBalancer Service',
    rationale: 'A Service of type LoadBalancer gets an address outside the cluster; on a database port it puts the database on the network, often the internet.',
    remediation: 'Make the Service ClusterIP (strato does for every service), or restrict it with loadBalancerSourceRanges to the networks that need it.',
    references: [{ standard: 'NSA/CISA Kubernetes Hardening Guidance v1.2', id: 'Network separation and hardening' }],
    check({ data }) {
      if (data.type !== 'LoadBalancer' || data.sourceRanges.length > 0) return []
      return data.ports.filter((port) => DATABASE_PORTS[port.port] ?? DATABASE_PORTS[Number(port.targetPort)])
        .map((port) => ({ message: `Service ${data.namespace}/${data.name} exposes ${DATABASE_PORTS[port.port] ?? DATABASE_PORTS[Number(port.targetPort)]} (port ${port.port}) on a load balancer open to every source.` }))
    },
  }),
  defineRule({
    id: 'KUB-008', pack: 'kubernetes', severity: 'medium', reads: ['kubernetes.namespace'],
    title: 'Namespace without NetworkPolicies',
    rationale: 'Without a NetworkPolicy every pod in the cluster can reach every pod in the namespace: one compromised pod reaches the databases.',
    remediation: 'Add a default-deny NetworkPolicy to the namespace and allow only the traffic each service needs (the cluster\'s network plugin must enforce them).',
    references: [cis('5.3.2', 'Ensure that all Namespaces have Network Policies defined')],
    check({ data }) {
      return data.networkPolicies === 0 ? [{ message: `Namespace ${data.name} has no NetworkPolicy: all traffic between pods is allowed.` }] : []
    },
  }),
]
