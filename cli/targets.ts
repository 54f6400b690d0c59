/**
 * What the deploy-family commands share: load the manifest, pick the targets,
 * open one provider per target through the registry, and plan. Commands stay
 * thin; providers plug in through providers/registry.ts and say what they can
 * do through providers/descriptors.ts.
 */
import { Flags } from '@oclif/core'
import { requireVerb, type Verb } from '../src/capabilities.js'
import { UserError } from '../src/errors.js'
import { effectiveTargets, selectTargets } from '../src/manifest/defaults.js'
import type { LoadedManifest } from '../src/manifest/load.js'
import type { Target } from '../src/manifest/schema.js'
import type { Fact, Progress, Resource } from '../src/model.js'
import { planProject, serviceVersions, type ProjectPlan } from '../src/planning/project-plan.js'
import { descriptorOf } from '../providers/descriptors.js'
import type { Provider, ProviderSettings } from '../providers/provider.js'
import { providerFor } from '../providers/registry.js'

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

/** Flags that tune providers, as the commands that have them name them. */
export interface SettingsFlags {
  'image-map'?: string
  'force-unlock'?: boolean
  'health-timeout'?: number
  surge?: number
}

/**
 * Provider settings from the command's flags. STRATO_POLL_MS and
 * STRATO_MAX_ATTEMPTS tune polling and retries (tests use them to run fast);
 * they are read here only, never inside a provider.
 */
export function providerSettings(flags: SettingsFlags = {}, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const number = (value: string | undefined) => (value !== undefined && value.trim() !== '' && Number.isFinite(Number(value)) && Number(value) > 0 ? Number(value) : undefined)
  const settings: ProviderSettings = {
    imageMap: flags['image-map'] ?? (env.STRATO_IMAGE_MAP || undefined),
    forceUnlock: flags['force-unlock'],
    healthTimeoutSeconds: flags['health-timeout'],
    surge: flags.surge,
    pollIntervalMs: number(env.STRATO_POLL_MS),
    maxAttempts: number(env.STRATO_MAX_ATTEMPTS),
  }
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as ProviderSettings
}

/** The provider of one target of the manifest (the embedded local docker target when there are none). */
export function openTarget(loaded: Pick<LoadedManifest, 'manifest' | 'dir'>, name: string, progress: Progress, settings: ProviderSettings = providerSettings()): Promise<Provider> {
  const target = effectiveTargets(loaded.manifest)[name]
  return providerFor({ manifest: loaded.manifest, targetName: name, target, projectDir: loaded.dir, env: process.env, progress, settings })
}

/**
 * Opens the selected targets' providers. With `verb`, every selected target's
 * descriptor must declare it: a target that cannot answers "not supported
 * yet" (exit 7) before anything is opened.
 */
export async function openTargets(loaded: LoadedManifest, only: string | undefined, progress: Progress, settings: ProviderSettings = providerSettings(), verb?: Verb): Promise<OpenTargets> {
  const targets = effectiveTargets(loaded.manifest)
  const names = selectTargets(targets, only)
  if (verb) for (const name of names) requireVerb(descriptorOf(targets[name].provider), verb, name)
  const open: OpenTarget[] = []
  const close = async () => { await Promise.all(open.map((entry) => entry.provider.close())) }
  try {
    for (const name of names) open.push({ name, target: targets[name], provider: await openTarget(loaded, name, progress, settings) })
  } catch (error) {
    await close()
    throw error
  }
  return { loaded, targets, open, close }
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

export const healthTimeoutFlag = Flags.integer({
  summary: 'Seconds a new replica has to become healthy (default: the provider\'s, 60 for containers, 600 for cloud instances).',
  min: 1,
})

/** Facts from each selected target's provider, for live checks; a target that cannot give them is a warning, not a failure. */
export async function liveFacts(loaded: Pick<LoadedManifest, 'manifest' | 'dir'>, only: string | undefined, progress: Progress): Promise<{ facts: Fact[]; warnings: string[] }> {
  const facts: Fact[] = []
  const warnings: string[] = []
  const targets = effectiveTargets(loaded.manifest)
  for (const name of selectTargets(targets, only)) {
    progress.step(`Reading live facts from target ${name}`)
    try {
      requireVerb(descriptorOf(targets[name].provider), 'facts', name)
      const provider = await openTarget(loaded, name, progress)
      try { facts.push(...await provider.facts()) } finally { await provider.close() }
    } catch (error) {
      const reason = error instanceof UserError ? error.message : `a bug in the provider (${(error as Error).message})`
      warnings.push(`live checks for target ${name} skipped: ${reason}`)
    }
  }
  return { facts, warnings }
}
