import { StratoCommand, manifestFlag, targetFlag } from '../../cli/base.js'
import { openTargets } from '../../cli/targets.js'
import { notSupported } from '../../src/errors.js'
import { desiredReplicas } from '../../src/manifest/defaults.js'
import { splitReplicas } from '../../src/planning/desired.js'
import type { Provider } from '../../providers/provider.js'

export interface AutoscaleApplied {
  target: string
  service: string
  /** what changed, when the provider reports it: created, updated, deleted, unchanged */
  changes?: Record<string, string[]>
}

/** Providers that report what an apply changed (aws) expose it; the others just apply. */
async function applyOne(provider: Provider, service: string, policy: Parameters<Provider['applyAutoscaling']>[1]): Promise<Record<string, string[]> | undefined> {
  const reporting = provider as Provider & { reconcileAutoscaling?: (s: string, p: typeof policy) => Promise<Record<string, unknown>> }
  if (!reporting.reconcileAutoscaling) {
    await provider.applyAutoscaling(service, policy)
    return undefined
  }
  const { created, updated, deleted, unchanged } = await reporting.reconcileAutoscaling(service, policy)
  return { created, updated, deleted, unchanged } as Record<string, string[]>
}

export default class AutoscaleApply extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'notSupported'] as const
  static override summary = 'Apply the manifest\'s autoscaling policies as native policies on cloud targets.'
  static override description = 'Translates each service\'s autoscale block into the target\'s own policies (on aws: target tracking, step scaling with CloudWatch alarms, scheduled actions). Applying again changes nothing; policies removed from strato.yaml are deleted. Docker targets scale with `strato autoscale run`.'
  static override examples = [
    '<%= config.bin %> autoscale apply',
    '<%= config.bin %> autoscale apply --target aws',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }

  async run(): Promise<{ project: string; applied: AutoscaleApplied[] }> {
    const { flags } = await this.parse(AutoscaleApply)
    const loaded = this.loadManifest(flags.manifest)
    const { manifest } = loaded
    const progress = this.progress()
    const targets = await openTargets(loaded, flags.target, progress)
    const applied: AutoscaleApplied[] = []
    try {
      for (const { name, provider } of targets.open) {
        if (provider.kind === 'docker') {
          if (flags.target) throw notSupported(`autoscale apply on docker target "${name}"`, 'Docker targets scale with strato\'s own controller: run `strato autoscale run`.')
          progress.warn(`${name}: docker targets scale with \`strato autoscale run\`; skipped`)
          continue
        }
        for (const [service, spec] of Object.entries(manifest.services)) {
          if (!spec.autoscale || !(name in splitReplicas(manifest, targets.targets, service, desiredReplicas(spec)))) continue
          const changes = await applyOne(provider, service, spec.autoscale)
          applied.push({ target: name, service, changes })
          const summary = changes ? Object.entries(changes).map(([what, items]) => `${items.length} ${what}`).join(', ') : 'applied'
          this.out(`${name} ${service}: ${summary}`)
        }
      }
      if (applied.length === 0) this.out('No service with an autoscale block runs on these targets.')
      return { project: manifest.name, applied }
    } finally {
      await targets.close()
    }
  }
}
