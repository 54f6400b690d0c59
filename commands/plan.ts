import { StratoCommand, manifestFlag, targetFlag } from '../cli/base.js'
import { imageMapFlag, openTargets, planOpenTargets, providerSettings } from '../cli/targets.js'
import type { Plan } from '../src/model.js'
import { renderTable } from '../src/output/table.js'
import { isNoop } from '../src/planning/plan.js'
import { planRows } from '../src/planning/project-plan.js'

export default class PlanCommand extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'notSupported'] as const
  static override summary = 'Show what deploy would change, per target and service; changes nothing.'
  static override examples = ['<%= config.bin %> plan', '<%= config.bin %> plan --target onprem --json']
  static override flags = { manifest: manifestFlag, target: targetFlag, 'image-map': imageMapFlag }

  async run(): Promise<Plan> {
    const { flags } = await this.parse(PlanCommand)
    const loaded = this.loadManifest(flags.manifest)
    const targets = await openTargets(loaded, flags.target, this.progress(), providerSettings(flags))
    try {
      const { project, actions } = await planOpenTargets(targets)
      this.out(renderTable(['TARGET', 'SERVICE', 'ACTION', 'REPLICAS', 'VERSION', 'WHY'], planRows(actions), { header: this.style.bold }))
      this.out()
      this.out(isNoop(actions) ? 'No changes: what runs matches strato.yaml.' : `${actions.filter((action) => action.kind !== 'noop').length} change(s); run \`strato deploy\` to apply them.`)
      return { project, actions }
    } finally {
      await targets.close()
    }
  }
}
