/**
 * The one interface every provider implements. A provider adapts the core's
 * data (actions, policies) to an engine or cloud API and translates answers
 * and errors back; it never imports another provider.
 */
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
  env: NodeJS.ProcessEnv
  progress: Progress
  /** abort long work (Ctrl-C, --timeout) */
  signal?: AbortSignal
  /** what the deploy-family flags ask for; each provider reads the ones that apply to it */
  settings?: ProviderSettings
}

export interface ProviderSettings {
  /** --image-map: a mapping file or an inline "from=to,..." list (default: STRATO_IMAGE_MAP) */
  imageMap?: string
  /** --force-unlock: break a deploy lock left by a deploy that died */
  forceUnlock?: boolean
  /** --health-timeout: seconds a new replica has to become healthy */
  healthTimeoutSeconds?: number
  /** --surge: new replicas started together in each rollout step */
  surge?: number
}

export interface Provider {
  readonly kind: ProviderKind
  /** what exists for the project, read back from labels or tags */
  inventory(project: string): Promise<Resource[]>
  /** create / update / scale / delete, reporting progress */
  apply(actions: Action[], progress: Progress): Promise<ApplyResult>
  scale(service: string, replicas: number): Promise<void>
  applyAutoscaling(service: string, policy: Autoscale): Promise<void>
  metrics(service: string, windowSeconds: number): Promise<Sample[]>
  /** actual spend where the provider reports it */
  costs(period: Period): Promise<CostLine[]>
  /** what the live checks read */
  facts(): Promise<Fact[]>
  /** release connections and child processes */
  close?(): Promise<void>

  // Optional capabilities: commands check for them and say "not supported" when absent.
  /** the versions deployed, newest last, read back from the target */
  releases?(): Promise<ReleaseRecord[]>
  /** health-gated return to a release (number or version); the previous one when omitted */
  rollback?(to: string | undefined): Promise<ApplyResult & { release?: number }>
  /** the last lines of a service's replicas, optionally following */
  logs?(service: string, options: { tail: number; follow: boolean }, write: (line: string) => void): Promise<void>
  /** removes everything labelled with the project and returns what is left (nothing, when it worked) */
  destroy?(options: { volumes: boolean }): Promise<{ removed: Record<string, number>; remaining: Resource[] }>
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
