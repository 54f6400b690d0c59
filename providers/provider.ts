/**
 * The one interface every provider implements. A provider adapts the core's
 * data (actions, policies) to an engine or cloud API and translates answers
 * and errors back; it never imports another provider.
 *
 * What a provider can do is declared in its descriptor
 * (providers/<kind>/descriptor.ts, see src/capabilities.ts): commands check
 * the descriptor before calling a method. Every method exists on every
 * provider; one its descriptor does not declare throws the "not supported
 * yet" UserError (exit 7) with the descriptor's reason.
 */
import type { AutoscalingChanges } from '../src/autoscaling/compile.js'
import type { Autoscale, Manifest, ProviderKind, Target } from '../src/manifest/schema.js'
import type { Action, ApplyResult, CostLine, Fact, Period, Progress, Resource, Sample } from '../src/model.js'

export interface ProviderContext {
  /** the whole manifest, for services' images, ports and health paths */
  manifest: Manifest
  /** the target's name in the manifest and its settings */
  targetName: string
  target: Target
  /** folder of strato.yaml: build contexts resolve from here */
  projectDir: string
  /** for secret values (services.*.secrets) and the SDKs' own credential chains */
  env: NodeJS.ProcessEnv
  progress: Progress
  /** abort long work (Ctrl-C, --timeout) */
  signal?: AbortSignal
  /** tuning from the command line; each provider reads the fields that apply to it */
  settings?: ProviderSettings
}

/**
 * Tuning that reaches a provider from the cli layer (flags, and for tests a
 * few STRATO_* variables read in cli/ only); providers never read the
 * environment for it. Absent fields take the provider's defaults.
 */
export interface ProviderSettings {
  /** --image-map: a mapping file or an inline "from=to,..." list */
  imageMap?: string
  /** --force-unlock: break a deploy lock left by a deploy that died */
  forceUnlock?: boolean
  /** --health-timeout: seconds a new replica has to become healthy (default: the descriptor's rollout.healthTimeoutSeconds) */
  healthTimeoutSeconds?: number
  /** --surge: new replicas started together in each rollout step */
  surge?: number
  /** how often to poll a rollout, a group or an operation, in ms */
  pollIntervalMs?: number
  /** tries per API call, the first included, before a transient error (throttling, 5xx, a dropped connection) counts */
  maxAttempts?: number
}

/** What destroy removed, by resource kind, and what is still there (nothing, when it worked). */
export interface DestroyResult {
  removed: Record<string, number>
  remaining: Resource[]
}

export interface LogOptions {
  tail: number
  follow: boolean
}

export interface Provider {
  readonly kind: ProviderKind
  /** what exists for the project, read back from labels or tags through the provider's codec */
  inventory(project: string): Promise<Resource[]>
  /** create / update / scale / delete, deploying each action's toVersion, reporting progress */
  apply(actions: Action[], progress: Progress): Promise<ApplyResult>
  scale(service: string, replicas: number): Promise<void>
  /** compiles the policy with the provider's compiler and writes it natively (descriptor: autoscaling.driver native) */
  applyAutoscaling(service: string, policy: Autoscale): Promise<AutoscalingChanges>
  metrics(service: string, windowSeconds: number): Promise<Sample[]>
  /** actual spend where the provider reports it (descriptor: spend.source provider) */
  costs(period: Period): Promise<CostLine[]>
  /** what the live checks read */
  facts(): Promise<Fact[]>
  /** the versions deployed, newest last, read back from the target */
  releases(): Promise<ReleaseRecord[]>
  /** health-gated return to a release (number or version); the previous one when omitted */
  rollback(to: string | undefined): Promise<ApplyResult & { release?: number }>
  /** the last lines of a service's replicas, optionally following */
  logs(service: string, options: LogOptions, write: (line: string) => void): Promise<void>
  /** removes everything labelled with the project and returns what is left */
  destroy(options: { volumes: boolean }): Promise<DestroyResult>
  /** release connections and child processes */
  close(): Promise<void>
}

/** One release in a target's history. */
export interface ReleaseRecord {
  number: number
  at: string
  by: string
  kind: string
  services: Record<string, { version: string; image: string; replicas: number }>
}

export type ProviderFactory = (context: ProviderContext) => Provider | Promise<Provider>
