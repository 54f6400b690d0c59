import { Flags } from '@oclif/core'
import { StratoCommand, manifestFlag, targetFlag, yesFlag } from '../cli/base.js'
import { confirmDestructive } from '../cli/prompt.js'
import { openTargets, providerSettings } from '../cli/targets.js'
import { UserError } from '../src/errors.js'
import type { DestroyResult } from '../providers/provider.js'

export default class Destroy extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Remove everything labelled with the project, and prove it.'
  static override description = 'Removes every container, network and image carrying the project\'s labels (volumes only with --volumes), then reads the inventory back: it must be empty. Nothing without strato\'s labels is touched.'
  static override examples = [
    '<%= config.bin %> destroy --yes',
    '<%= config.bin %> destroy --target onprem --yes --volumes',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    yes: yesFlag,
    volumes: Flags.boolean({ summary: 'Also remove the project\'s named volumes (their data is lost).' }),
  }

  async run(): Promise<{ project: string; targets: Record<string, DestroyResult> }> {
    const { flags } = await this.parse(Destroy)
    const loaded = this.loadManifest(flags.manifest)
    await confirmDestructive(`Destroy everything of "${loaded.manifest.name}"${flags.volumes ? ' including its volumes' : ''}`, flags.yes)
    const targets = await openTargets(loaded, flags.target, this.progress(), providerSettings(), 'destroy')
    const results: Record<string, DestroyResult> = {}
    try {
      for (const { name, provider } of targets.open) {
        results[name] = await provider.destroy({ volumes: flags.volumes })
        const removed = Object.entries(results[name].removed).map(([kind, count]) => `${count} ${kind}`).join(', ')
        this.out(`${name}: removed ${removed}; ${results[name].remaining.length} left`)
      }
    } finally {
      await targets.close()
    }
    const left = Object.entries(results).filter(([, result]) => result.remaining.length > 0)
    if (left.length) {
      throw new UserError(`Some resources of "${loaded.manifest.name}" are still there after destroy.`, {
        code: 'failure',
        fix: 'Run destroy again; if they stay, remove them by hand (they are listed above).',
        details: left.flatMap(([name, result]) => result.remaining.map((resource) => `${name}: ${resource.kind} ${resource.id}`)),
      })
    }
    return { project: loaded.manifest.name, targets: results }
  }
}
