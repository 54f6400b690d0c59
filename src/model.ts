/**
 * The shared vocabulary between the core and the providers: what exists on a
 * target, what should change, and what a provider reports back. Data only.
 */
import type { ProviderKind } from './manifest/schema.js'

/** The labels (docker) or tags (clouds) every resource strato creates carries. */
export const LABEL = {
  project: 'strato.project',
  service: 'strato.service',
  version: 'strato.version',
  role: 'strato.role',
  deployedBy: 'strato.deployed-by',
  deployedAt: 'strato.deployed-at',
} as const

/**
 * What a resource is, in the core's words. Providers map their own types onto
 * these (an EC2 instance in a group is an `instance`, an ALB a `balancer`), so
 * the core never compares provider type names.
 */
export type ResourceKind =
  /** replicas: one running copy of a service */
  | 'container' | 'task' | 'instance' | 'pod' | 'vm'
  /** what fronts, groups or describes the replicas */
  | 'balancer' | 'target-group' | 'group' | 'template' | 'security-group' | 'network' | 'volume' | 'image' | 'secret'
  | 'health-check'
  /** kubernetes objects beside the pods: the Deployment, its Service, env, autoscaler, disruption budget, the Ingress */
  | 'deployment' | 'service' | 'config' | 'autoscaler' | 'disruption-budget' | 'ingress'
  /** strato's own bookkeeping on a target */
  | 'lock' | 'release'
  /** a host of the target that did not answer */
  | 'host'

/** The kinds that count as one running copy of a service: planning, the controller and costs count these. */
export const REPLICA_KINDS: ReadonlySet<ResourceKind> = new Set<ResourceKind>(['container', 'task', 'instance', 'pod', 'vm'])

/** True when a resource is a replica of a service (running or not). */
export function isReplica(resource: Pick<Resource, 'kind' | 'service'>): resource is Pick<Resource, 'kind'> & { service: string } {
  return resource.service !== undefined && REPLICA_KINDS.has(resource.kind)
}

/** The replicas of one service that are running now. */
export function runningReplicas<R extends Resource>(resources: R[], service: string): R[] {
  return resources.filter((resource) => isReplica(resource) && resource.service === service && resource.state === 'running')
}

/** Something that exists on a target, read back from its labels or tags. */
export interface Resource {
  /** provider id: container id, ARN, resource id */
  id: string
  kind: ResourceKind
  /** the target name in the manifest */
  target: string
  service?: string
  version?: string
  /** host or region or zone it lives in */
  location?: string
  state: 'running' | 'pending' | 'stopped' | 'failed' | 'unknown'
  health?: 'healthy' | 'unhealthy' | 'starting' | 'none'
  labels: Record<string, string>
  /** where the service this resource belongs to answers (a balancer address), when the provider knows it */
  endpoint?: string
  /**
   * What the provider found differing from the manifest beyond replicas and
   * version (the balancer or route in front of the service), as plan reasons;
   * plan turns a service that would otherwise be unchanged into an update of the same version.
   */
  drift?: string[]
  createdAt?: string
  details?: Record<string, unknown>
}

export type ActionKind = 'create' | 'update' | 'scale' | 'delete' | 'noop'

interface ActionFields {
  target: string
  service: string
  /** the replica count before and after */
  from?: number
  to?: number
  /** the version running before */
  fromVersion?: string
  /** human reasons, e.g. "image changed", "replicas 2 -> 3" */
  reasons: string[]
}

/**
 * One change the planner wants on one target. Every action but a delete
 * carries the version that should run (`toVersion`, computed once by the
 * planner from the build context): providers deploy it, never hash again.
 */
export type Action =
  | (ActionFields & { kind: 'create' | 'update' | 'scale' | 'noop'; to: number; toVersion: string })
  | (ActionFields & { kind: 'delete'; to?: 0; toVersion?: undefined })

export interface Plan {
  project: string
  actions: Action[]
}

export interface ApplyResult {
  applied: Action[]
  endpoints: Record<string, string>
  warnings: string[]
}

/** Progress reporting for long work: written to stderr by the CLI, collected by tests. */
export interface Progress {
  step(message: string): void
  done(message: string): void
  warn(message: string): void
}

export const silentProgress: Progress = { step() {}, done() {}, warn() {} }

export interface Sample {
  /** ISO timestamp */
  at: string
  metric: 'cpu' | 'memory' | 'requests'
  /** percent for cpu and memory; requests per second for requests */
  value: number
  replicas?: number
}

export interface Period {
  start: string
  end: string
  granularity: 'daily' | 'monthly'
}

export interface CostLine {
  provider: ProviderKind
  target: string
  service?: string
  /** ISO date the amount belongs to (start of the day or month) */
  date: string
  amount: number
  currency: string
  source: string
}

/** An observation a live check reads: a security group rule, a container, a daemon setting. */
export interface Fact {
  kind: string
  /** the resource it describes: container id, sg-..., arn */
  resource: string
  target: string
  data: Record<string, unknown>
}
