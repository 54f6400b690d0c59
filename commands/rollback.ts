import { Flags } from '@oclif/core'
import { StratoCommand, manifestFlag, targetFlag, yesFlag } from '../cli/base.js'
import { confirmDestructive } from '../cli/prompt.js'
import { healthTimeoutFlag, imageMapFlag, openTargets, providerSettings } from '../cli/targets.js'
import type { ApplyResult } from '../src/model.js'

export default class Rollback extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Return to the previous or a named version through a health-gated rollout.'
  static override examples = [
    '<%= config.bin %> rollback',
    '<%= config.bin %> rollback --to 3',
    '<%= config.bin %> rollback --to 3f9c2a1',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    yes: yesFlag,
    'image-map': imageMapFlag,
    to: Flags.string({ summary: 'Release number or version to return to (default: the previous release).', helpValue: 'RELEASE' }),
    'force-unlock': Flags.boolean({ summary: 'Break a deploy lock left by a deploy that died.' }),
    'health-timeout': healthTimeoutFlag,
  }

  async run(): Promise<{ project: string; targets: Record<string, ApplyResult & { release?: number }> }> {
    const { flags } = await this.parse(Rollback)
    const loaded = this.loadManifest(flags.manifest)
    await confirmDestructive(`Roll "${loaded.manifest.name}" back to ${flags.to ? `release ${flags.to}` : 'the previous release'}`, flags.yes)
    const progress = this.progress()
    const targets = await openTargets(loaded, flags.target, progress, providerSettings(flags), 'rollback')
    const out: Record<string, ApplyResult & { release?: number }> = {}
    try {
      for (const { name, provider } of targets.open) {
        out[name] = await provider.rollback(flags.to)
        this.out(`${name}: rolled back; now release ${out[name].release ?? '?'}`)
        for (const [service, url] of Object.entries(out[name].endpoints)) this.out(`${name} ${service}: ${url}`)
      }
    } finally {
      await targets.close()
    }
    return { project: loaded.manifest.name, targets: out }
  }
}
