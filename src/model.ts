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

/** Something that exists on a target, read back from its labels or tags. */
export interface Resource {
  /** provider id: container id, ARN, resource id */
  id: string
  kind: string
  /** the target name in the manifest */
  target: string
  service?: string
  version?: string
  /** host or region or zone it lives in */
  location?: string
  state: 'running' | 'pending' | 'stopped' | 'failed' | 'unknown'
  health?: 'healthy' | 'unhealthy' | 'starting' | 'none'
  labels: Record<string, string>
  endpoint?: string
  createdAt?: string
  details?: Record<string, unknown>
}

export type ActionKind = 'create' | 'update' | 'scale' | 'delete' | 'noop'

/** One change the planner wants on one target. */
export interface Action {
  kind: ActionKind
  target: string
  service: string
  /** the replica count before and after (scale, create, delete) */
  from?: number
  to?: number
  /** the version before and after (update) */
  fromVersion?: string
  toVersion?: string
  /** human reasons, e.g. "image changed", "replicas 2 -> 3" */
  reasons: string[]
}

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
