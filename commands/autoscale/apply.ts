import { Flags } from '@oclif/core'
import { compileDryRun, drivenTargets } from '../../cli/autoscale.js'
import { StratoCommand, manifestFlag, targetFlag } from '../../cli/base.js'
import { openTarget, providerSettings } from '../../cli/targets.js'
import type { AutoscalingChanges, NativeAutoscaling } from '../../src/autoscaling/compile.js'

export interface AutoscaleApplied {
  target: string
  service: string
  /** what changed on the target, by native object name */
  changes: AutoscalingChanges
}

export default class AutoscaleApply extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'notSupported'] as const
  static override summary = 'Apply the manifest\'s autoscaling policies as native policies on the targets that scale natively.'
  static override description = 'Compiles each service\'s autoscale block into the target\'s own policies (on aws: target tracking, step scaling with CloudWatch alarms, scheduled actions) and applies them. Applying again changes nothing; policies removed from strato.yaml are deleted. Targets that strato\'s controller drives scale with `strato autoscale run`. --dry-run prints the native policy each target would get, without credentials or network.'
  static override examples = [
    '<%= config.bin %> autoscale apply',
    '<%= config.bin %> autoscale apply --target aws',
    '<%= config.bin %> autoscale apply --dry-run --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    'dry-run': Flags.boolean({ summary: 'Print the native policy each target would get; change nothing, call nothing.' }),
  }

  async run(): Promise<{ project: string; applied: AutoscaleApplied[] } | { project: string; dryRun: Record<string, { driver: string; services: Record<string, NativeAutoscaling> }> }> {
    const { flags } = await this.parse(AutoscaleApply)
    const { manifest, dir } = this.loadManifest(flags.manifest)
    if (flags['dry-run']) {
      const dryRun = await compileDryRun(manifest, flags.target, this.progress())
      this.out(JSON.stringify(dryRun, null, 2))
      return { project: manifest.name, dryRun }
    }
    const progress = this.progress()
    const applied: AutoscaleApplied[] = []
    for (const { name, policies } of drivenTargets(manifest, flags.target, 'native', progress)) {
      if (Object.keys(policies).length === 0) continue
      const provider = await openTarget({ manifest, dir }, name, progress, providerSettings())
      try {
        for (const [service, policy] of Object.entries(policies)) {
          const changes = await provider.applyAutoscaling(service, policy)
          applied.push({ target: name, service, changes })
          this.out(`${name} ${service}: ${Object.entries(changes).map(([what, items]) => `${items.length} ${what}`).join(', ')}`)
        }
      } finally {
        await provider.close()
      }
    }
    if (applied.length === 0) this.out('No service with an autoscale block runs on a target that scales natively.')
    return { project: manifest.name, applied }
  }
}
