/**
 * What the deploy-family commands share: load the manifest, pick the targets,
 * open one provider per target through the registry, and plan. Commands stay
 * thin; providers plug in through providers/registry.ts.
 */
import { Flags } from '@oclif/core'
import { effectiveTargets } from '../src/manifest/defaults.js'
import type { LoadedManifest } from '../src/manifest/load.js'
import type { Target } from '../src/manifest/schema.js'
import type { Progress, Resource } from '../src/model.js'
import { planProject, serviceVersions, type ProjectPlan } from '../src/planning/project-plan.js'
import type { Provider } from '../providers/provider.js'
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

/** Flags that reach the provider as environment: the provider interface stays the same for every kind. */
export interface ProviderSettings {
  imageMap?: string
  forceUnlock?: boolean
  healthTimeout?: number
  surge?: number
}

export function providerEnv(settings: ProviderSettings): NodeJS.ProcessEnv {
  const env = { ...process.env }
  if (settings.imageMap) env.STRATO_IMAGE_MAP = settings.imageMap
  if (settings.forceUnlock) env.STRATO_FORCE_UNLOCK = '1'
  if (settings.healthTimeout !== undefined) env.STRATO_HEALTH_TIMEOUT = String(settings.healthTimeout)
  if (settings.surge !== undefined) env.STRATO_SURGE = String(settings.surge)
  return env
}

export async function openTargets(loaded: LoadedManifest, only: string | undefined, progress: Progress, settings: ProviderSettings = {}): Promise<OpenTargets> {
  const targets = effectiveTargets(loaded.manifest)
  const names = selectTargets(targets, only)
  const env = providerEnv(settings)
  const open: OpenTarget[] = []
  for (const name of names) {
    const provider = await providerFor({ manifest: loaded.manifest, targetName: name, target: targets[name], projectDir: loaded.dir, env, progress })
    open.push({ name, target: targets[name], provider })
  }
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
