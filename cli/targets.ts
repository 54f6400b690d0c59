/**
 * What the deploy-family commands share: load the manifest, pick the targets,
 * open one provider per target through the registry, and plan. Commands stay
 * thin; providers plug in through providers/registry.ts.
 */
import { Flags } from '@oclif/core'
import { effectiveTargets } from '../src/manifest/defaults.js'
import type { LoadedManifest } from '../src/manifest/load.js'
import type { Target } from '../src/manifest/schema.js'
import { UserError } from '../src/errors.js'
import type { Fact, Progress, Resource } from '../src/model.js'
import { planProject, serviceVersions, type ProjectPlan } from '../src/planning/project-plan.js'
import type { Provider, ProviderSettings } from '../providers/provider.js'
import { providerFor, selectTargets } from '../providers/registry.js'

export interface OpenTarget {
  name: string
  target: Target
  provider: Provider
}

export interface OpenTargets {
  loaded: LoadedManifest
  targets: Record<string, Target>
  open: OpenTarget[]
  close(): Promise<void>
}

/** The provider of one target of the manifest (the embedded local docker target when there are none). */
export function openTarget(loaded: Pick<LoadedManifest, 'manifest' | 'dir'>, name: string, progress: Progress, settings: ProviderSettings = {}): Promise<Provider> {
  const target = effectiveTargets(loaded.manifest)[name]
  return providerFor({ manifest: loaded.manifest, targetName: name, target, projectDir: loaded.dir, env: process.env, progress, settings })
}

export async function openTargets(loaded: LoadedManifest, only: string | undefined, progress: Progress, settings: ProviderSettings = {}): Promise<OpenTargets> {
  const targets = effectiveTargets(loaded.manifest)
  const names = selectTargets(targets, only)
  const open: OpenTarget[] = []
  for (const name of names) open.push({ name, target: targets[name], provider: await openTarget(loaded, name, progress, settings) })
  return { loaded, targets, open, close: async () => { await Promise.all(open.map((entry) => entry.provider.close?.())) } }
}

export async function inventories(open: OpenTarget[], project: string): Promise<Record<string, Resource[]>> {
  const entries = await Promise.all(open.map(async (entry) => [entry.name, await entry.provider.inventory(project)] as const))
  return Object.fromEntries(entries)
}

export async function planOpenTargets(targets: OpenTargets): Promise<ProjectPlan & { inventories: Record<string, Resource[]> }> {
  const { manifest, dir } = targets.loaded
  const versions = serviceVersions(manifest, dir)
  const inventory = await inventories(targets.open, manifest.name)
  const plan = planProject(manifest, targets.targets, targets.open.map((entry) => entry.name), versions, inventory)
  return { ...plan, inventories: inventory }
}

export const imageMapFlag = Flags.string({
  summary: 'Map public images to local ones (air-gapped sites): a YAML file of "public: local" pairs, or "from=to,from=to".',
  helpValue: 'FILE',
  env: 'STRATO_IMAGE_MAP',
})

/** Facts from each selected target's provider, for live checks; a target that cannot give them is a warning, not a failure. */
export async function liveFacts(loaded: Pick<LoadedManifest, 'manifest' | 'dir'>, only: string | undefined, progress: Progress): Promise<{ facts: Fact[]; warnings: string[] }> {
  const facts: Fact[] = []
  const warnings: string[] = []
  for (const name of selectTargets(effectiveTargets(loaded.manifest), only)) {
    progress.step(`Reading live facts from target ${name}`)
    try {
      const provider = await openTarget(loaded, name, progress)
      try { facts.push(...await provider.facts()) } finally { await provider.close?.() }
    } catch (error) {
      const reason = error instanceof UserError ? error.message : `a bug in the provider (${(error as Error).message})`
      warnings.push(`live checks for target ${name} skipped: ${reason}`)
    }
  }
  return { facts, warnings }
}
