import { Flags } from '@oclif/core'
import { readFileSync } from 'node:fs'
import { StratoCommand, manifestFlag, numberFlag } from '../../cli/base.js'
import { parseTrace, simulate, type SimulatedStep } from '../../src/autoscaling/simulate.js'
import { usageError } from '../../src/errors.js'
import { renderTable } from '../../src/output/table.js'
import { checkService } from '../../src/planning/scale.js'

export default class AutoscaleSimulate extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage'] as const
  static override summary = 'What-if: replay a load trace through the manifest\'s autoscaling policy.'
  static override description = 'The trace is CSV lines of "seconds,rps". Each replica serves --per-replica requests per second at 100% CPU; the policy runs at every line.'
  static override examples = [
    '<%= config.bin %> autoscale simulate --trace load.csv --service orders --per-replica 200',
  ]

  static override flags = {
    manifest: manifestFlag,
    trace: Flags.string({ summary: 'CSV file of "seconds,rps" lines.', required: true, helpValue: 'FILE' }),
    service: Flags.string({ summary: 'The service whose policy to replay.', required: true, helpValue: 'NAME' }),
    'per-replica': Flags.string({ summary: 'Requests per second one replica serves at full CPU.', default: '100', helpValue: 'N' }),
  }

  async run(): Promise<{ service: string; steps: SimulatedStep[] }> {
    const { flags } = await this.parse(AutoscaleSimulate)
    const { manifest } = this.loadManifest(flags.manifest)
    checkService(manifest, flags.service)
    const policy = manifest.services[flags.service].autoscale
    if (!policy) throw usageError(`Service "${flags.service}" has no autoscale policy.`, `Add services.${flags.service}.autoscale to strato.yaml.`)
    let text: string
    try {
      text = readFileSync(flags.trace, 'utf8')
    } catch {
      throw usageError(`Cannot read the trace ${flags.trace}.`, 'Pass a CSV file of "seconds,rps" lines with --trace.')
    }
    let trace
    try {
      trace = parseTrace(text)
    } catch (error) {
      throw usageError(`${flags.trace}: ${(error as Error).message}.`, 'Each line is "seconds,rps", e.g. 60,250.')
    }
    const steps = simulate(flags.service, policy, trace, numberFlag('per-replica', flags['per-replica']))
    this.out(renderTable(['AT', 'RPS', 'REPLICAS', 'CPU%', 'OVERFLOW', 'ACTION', 'WHY'], steps.map((step) => [`${step.at}s`, String(step.rps), String(step.replicas), String(step.cpu), String(step.overflow), step.action, step.reason]), { header: this.style.bold, alignRight: [0, 1, 2, 3, 4] }))
    return { service: flags.service, steps }
  }
}
