import { Flags } from '@oclif/core'
import { StratoCommand, manifestFlag, targetFlag, yesFlag } from '../cli/base.js'
import { healthTimeoutFlag, imageMapFlag, openTargets, planOpenTargets, providerSettings } from '../cli/targets.js'
import type { Action, ApplyResult } from '../src/model.js'
import { renderTable } from '../src/output/table.js'
import { planRows } from '../src/planning/project-plan.js'

export interface DeployResult {
  project: string
  actions: Action[]
  targets: Record<string, ApplyResult>
}

export default class Deploy extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Build, roll out health-gated and roll back on failure, per target.'
  static override examples = [
    '<%= config.bin %> deploy',
    '<%= config.bin %> deploy --image-map images.yaml',
    '<%= config.bin %> deploy --target aws --yes',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    yes: yesFlag,
    'image-map': imageMapFlag,
    'force-unlock': Flags.boolean({ summary: 'Break a deploy lock left by a deploy that died.' }),
    'health-timeout': healthTimeoutFlag,
    surge: Flags.integer({ summary: 'New replicas started together in each rollout step (each step swaps as many old ones out).', default: 1, min: 1 }),
  }

  async run(): Promise<DeployResult> {
    const { flags } = await this.parse(Deploy)
    const loaded = this.loadManifest(flags.manifest)
    const progress = this.progress()
    const targets = await openTargets(loaded, flags.target, progress, providerSettings(flags), 'deploy')
    try {
      const plan = await planOpenTargets(targets)
      const results: Record<string, ApplyResult> = {}
      for (const { name, provider } of targets.open) {
        const actions = plan.actions.filter((action) => action.target === name)
        if (actions.every((action) => action.kind === 'noop')) {
          progress.done(`${name}: nothing to change`)
          continue
        }
        results[name] = await provider.apply(actions, progress)
      }
      const changed = plan.actions.filter((action) => action.kind !== 'noop')
      this.out(changed.length ? renderTable(['TARGET', 'SERVICE', 'ACTION', 'REPLICAS', 'VERSION', 'WHY'], planRows(changed), { header: this.style.bold }) : 'No changes: what runs matches strato.yaml.')
      for (const [name, result] of Object.entries(results)) {
        for (const [service, url] of Object.entries(result.endpoints)) this.out(`${name} ${service}: ${this.style.bold(url)}`)
        for (const warning of result.warnings) progress.warn(warning)
      }
      return { project: plan.project, actions: plan.actions, targets: results }
    } finally {
      await targets.close()
    }
  }
}
