/**
 * What `autoscale apply` and `autoscale run` share: which targets each one
 * drives, decided by the targets' descriptors (autoscaling.driver), never by
 * their kind; and the dry run, which compiles every policy with the target's
 * compiler (pure, loaded lazily) without credentials or network.
 */
import { notSupportedError, type ProviderDescriptor } from '../src/capabilities.js'
import type { NativeAutoscaling } from '../src/autoscaling/compile.js'
import { autoscaledOn } from '../src/autoscaling/targets.js'
import { effectiveTargets, selectTargets } from '../src/manifest/defaults.js'
import type { Autoscale, Manifest } from '../src/manifest/schema.js'
import type { Progress } from '../src/model.js'
import { descriptorOf } from '../providers/descriptors.js'
import { compilerFor } from '../providers/registry.js'

export interface DrivenTarget {
  name: string
  descriptor: ProviderDescriptor
  policies: Record<string, Autoscale>
}

/**
 * The selected targets that `driver` drives. A target named with --target
 * that another driver runs is an error naming the right command; without
 * --target such targets are skipped with a note.
 */
export function drivenTargets(manifest: Manifest, only: string | undefined, driver: 'native' | 'controller', progress: Progress): DrivenTarget[] {
  const targets = effectiveTargets(manifest)
  const other = driver === 'native' ? 'strato autoscale run (strato\'s controller drives it)' : 'strato autoscale apply (its provider scales natively)'
  const driven: DrivenTarget[] = []
  for (const name of selectTargets(targets, only)) {
    const descriptor = descriptorOf(targets[name].provider)
    if (descriptor.autoscaling.driver !== driver) {
      if (only) throw notSupportedError(descriptor, `autoscale ${driver === 'native' ? 'apply' : 'run'}`, name, { reason: `it scales with ${other}`, instead: `Run ${other.split(' (')[0]}.` })
      progress.warn(`${name}: scales with ${other}; skipped`)
      continue
    }
    driven.push({ name, descriptor, policies: autoscaledOn(manifest, name) })
  }
  return driven
}

/** Each target's native policies, compiled without touching the target: what `apply` would write. */
export async function compileDryRun(manifest: Manifest, only: string | undefined, progress: Progress): Promise<Record<string, { driver: string; services: Record<string, NativeAutoscaling> }>> {
  const targets = effectiveTargets(manifest)
  const out: Record<string, { driver: string; services: Record<string, NativeAutoscaling> }> = {}
  for (const name of selectTargets(targets, only)) {
    const descriptor = descriptorOf(targets[name].provider)
    const policies = autoscaledOn(manifest, name)
    if (Object.keys(policies).length === 0) continue
    if (!descriptor.built && !only) {
      progress.warn(`${name}: the ${descriptor.title} provider is not built yet; skipped`)
      continue
    }
    const compile = await compilerFor(descriptor.kind, name)
    out[name] = { driver: descriptor.autoscaling.driver, services: Object.fromEntries(Object.entries(policies).map(([service, policy]) => [service, compile({ project: manifest.name, service, policy })])) }
  }
  return out
}
