/**
 * One provider-neutral autoscale block, compiled per provider into what that
 * provider runs: AWS target-tracking, step and scheduled actions; docker the
 * controller's normalised policy; later Azure autoscale settings and GCP
 * autoscalers. Each compiler is a pure function in
 * providers/<kind>/autoscaling-compile.ts (no SDK), loaded lazily through the
 * registry, golden-tested from manifest to JSON, and printed by
 * `strato autoscale apply --dry-run`.
 */
import type { Autoscale } from '../manifest/schema.js'

export interface CompileRequest {
  project: string
  service: string
  policy: Autoscale
  /**
   * References only the live target knows (aws: `requestLabel`, the
   * app/.../targetgroup/... label of the service's balancer). Absent in a dry
   * run: the compiler then writes a placeholder naming what will be resolved.
   */
  resolved?: Record<string, string>
}

/** The native form a target gets for one service: JSON data, printed as is by --dry-run. */
export type NativeAutoscaling = Record<string, unknown>

export type CompileAutoscaling = (request: CompileRequest) => NativeAutoscaling

/** What applying a policy changed on the target, by name of the native object. */
export interface AutoscalingChanges {
  created: string[]
  updated: string[]
  deleted: string[]
  unchanged: string[]
}

/** A placeholder for a reference resolved at apply time, readable in a dry run's output. */
export function unresolved(what: string): string {
  return `<${what}, resolved when applied>`
}
