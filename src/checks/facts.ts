/**
 * The fact kinds live checks read: the contract between the providers (which
 * emit `Fact`s from src/model.ts) and the rule packs (which read them). A
 * provider emits `{ kind, resource, target, data }` where `data` has exactly
 * the shape listed here for that kind.
 */
import type { Fact } from '../model.js'

export type Tags = Record<string, string>

/** One Docker engine a docker target points at. */
export interface DockerDaemonFact {
  /** the host address from the manifest, e.g. tcp://10.0.0.5:2375 */
  host: string
  /** the daemon listens on a TCP socket without TLS verification */
  tcpWithoutTls: boolean
  /** every address the daemon listens on (unix:///var/run/docker.sock, tcp://0.0.0.0:2375) */
  listen: string[]
  serverVersion: string
}

export interface DockerMount {
  type: string
  source: string
  destination: string
  readOnly: boolean
}

export interface DockerPortBinding {
  /** '' or 0.0.0.0 or :: means every interface */
  hostIp: string
  hostPort: number
  containerPort: number
}

/** One container on a docker host. */
export interface DockerContainerFact {
  id: string
  name: string
  image: string
  /** the configured user; '' means root */
  user: string
  privileged: boolean
  networkMode: string
  mounts: DockerMount[]
  /** 0 means no limit */
  memoryLimitBytes: number
  /** 0 means no limit */
  nanoCpus: number
  restartPolicy: string
  ports: DockerPortBinding[]
  hasHealthcheck: boolean
  labels: Record<string, string>
}

export interface AwsIngressRule {
  /** 'tcp' | 'udp' | 'icmp' | '-1' (all) */
  protocol: string
  fromPort: number
  toPort: number
  cidrs: string[]
  ipv6Cidrs: string[]
}

export interface AwsSecurityGroupFact {
  groupId: string
  name: string
  ingress: AwsIngressRule[]
  tags: Tags
}

export interface AwsVolumeFact {
  volumeId: string
  encrypted: boolean
  tags: Tags
}

export interface AwsLaunchTemplateFact {
  id: string
  name: string
  httpTokens: 'required' | 'optional'
  httpEndpoint: string
  associatePublicIp: boolean
  rootVolumeEncrypted: boolean
  tags: Tags
}

export interface AwsInstanceFact {
  instanceId: string
  publicIp?: string
  httpTokens: 'required' | 'optional'
  tags: Tags
}

/** One security rule of a network security group. */
export interface AzureNsgRuleFact {
  nsgName: string
  ruleName: string
  direction: 'Inbound' | 'Outbound'
  access: 'Allow' | 'Deny'
  /** 'Tcp' | 'Udp' | 'Icmp' | '*' */
  protocol: string
  /** '*', '22', '3389', '1000-2000' */
  destinationPortRanges: string[]
  /** '*', 'Internet', 'Any', '0.0.0.0/0', '10.0.0.0/8' */
  sourceAddressPrefixes: string[]
  priority: number
}

export interface AzureDiskFact {
  diskId: string
  name: string
  /** 'EncryptionAtRestWithPlatformKey' counts as encrypted; false only when encryption is off */
  encrypted: boolean
  encryptionType: string
  tags: Tags
}

export interface AzureVmFact {
  vmId: string
  name: string
  /** scale sets: whether instances get a public IP */
  publicIp?: string
  /** the identity type: 'None' | 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned' */
  identityType: string
  /** role names assigned to that identity at subscription scope, e.g. Owner, Contributor */
  subscriptionRoles: string[]
  osDiskEncrypted: boolean
  tags: Tags
}

export interface GcpFirewallFact {
  name: string
  network: string
  direction: 'INGRESS' | 'EGRESS'
  disabled: boolean
  /** allowed protocols and ports: { protocol: 'tcp', ports: ['22', '8000-9000'] }; no ports = all */
  allowed: { protocol: string; ports: string[] }[]
  sourceRanges: string[]
  targetTags: string[]
}

export interface GcpInstanceFact {
  name: string
  zone: string
  /** external (NAT) addresses on any interface */
  publicIps: string[]
  serviceAccounts: { email: string; scopes: string[] }[]
  /** instance metadata keys (values are not read: they may hold secrets) */
  metadataKeys: string[]
  /** the project-wide "block-project-ssh-keys" and "enable-oslogin" settings, as read */
  blockProjectSshKeys: boolean
  labels: Tags
}

export interface GcpDiskFact {
  name: string
  zone: string
  /** 'google-managed' | 'customer-managed' | 'customer-supplied' */
  encryption: string
  labels: Tags
}

export interface KubernetesContainerFact {
  name: string
  image: string
  privileged: boolean
  allowPrivilegeEscalation: boolean
  /** 'root' (uid 0 asked for), 'non-root' (runAsNonRoot or a non-zero uid), 'image' (the image's USER decides) */
  runsAs: 'root' | 'non-root' | 'image'
  /** the limits set, e.g. { cpu: '500m', memory: '256Mi' }; {} when none */
  limits: Record<string, string>
}

/** One running pod in the target's namespace (strato's or not). */
export interface KubernetesPodFact {
  namespace: string
  name: string
  serviceAccount: string
  hostNetwork: boolean
  hostPID: boolean
  hostIPC: boolean
  containers: KubernetesContainerFact[]
  /** hostPath volumes, by name and path on the node */
  hostPaths: { name: string; path: string }[]
  labels: Tags
}

export interface KubernetesServiceFact {
  namespace: string
  name: string
  /** ClusterIP | NodePort | LoadBalancer | ExternalName */
  type: string
  ports: { port: number; targetPort: string; nodePort?: number }[]
  /** loadBalancerSourceRanges; empty means anyone who reaches the balancer */
  sourceRanges: string[]
}

export interface KubernetesNamespaceFact {
  name: string
  /** NetworkPolicies in the namespace */
  networkPolicies: number
}

/** A cluster-wide role binding: who holds which cluster role. */
export interface KubernetesClusterRoleBindingFact {
  name: string
  role: string
  subjects: { kind: string; name: string; namespace?: string }[]
}

/** Every fact kind and the data it carries. */
export interface FactData {
  'docker.daemon': DockerDaemonFact
  'docker.container': DockerContainerFact
  'aws.securityGroup': AwsSecurityGroupFact
  'aws.volume': AwsVolumeFact
  'aws.launchTemplate': AwsLaunchTemplateFact
  'aws.instance': AwsInstanceFact
  'azure.nsgRule': AzureNsgRuleFact
  'azure.disk': AzureDiskFact
  'azure.vm': AzureVmFact
  'gcp.firewall': GcpFirewallFact
  'gcp.instance': GcpInstanceFact
  'gcp.disk': GcpDiskFact
  'kubernetes.pod': KubernetesPodFact
  'kubernetes.service': KubernetesServiceFact
  'kubernetes.namespace': KubernetesNamespaceFact
  'kubernetes.clusterRoleBinding': KubernetesClusterRoleBindingFact
}

export type FactKind = keyof FactData

export const FACT_KINDS = [
  'docker.daemon', 'docker.container',
  'aws.securityGroup', 'aws.volume', 'aws.launchTemplate', 'aws.instance',
  'azure.nsgRule', 'azure.disk', 'azure.vm',
  'gcp.firewall', 'gcp.instance', 'gcp.disk',
  'kubernetes.pod', 'kubernetes.service', 'kubernetes.namespace', 'kubernetes.clusterRoleBinding',
] as const satisfies readonly FactKind[]

/** A fact whose data has the shape of its kind. */
export interface TypedFact<K extends FactKind = FactKind> extends Fact {
  kind: K
  data: FactData[K] & Record<string, unknown>
}

/** Builds a typed fact, for providers: `fact('docker.container', id, target, {...})`. */
export function fact<K extends FactKind>(kind: K, resource: string, target: string, data: FactData[K]): TypedFact<K> {
  return { kind, resource, target, data: data as FactData[K] & Record<string, unknown> }
}

