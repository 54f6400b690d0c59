import { Flags } from '@oclif/core'
import { planCapacity, type CapacityResult } from '../src/capacity.js'
import { StratoCommand, numberFlag } from '../cli/base.js'

export default class Capacity extends StratoCommand {
  static override exitCodes = ['ok', 'usage'] as const
  static override summary = 'Replicas needed for a peak load, a utilisation target and headroom.'
  static override description = 'replicas = ceil(peak × (1 + headroom) / (per-replica × target-util)), plus one with --n-plus-one. Prints the formula with your numbers.'
  static override examples = [
    '<%= config.bin %> capacity --rps 5000 --per-replica 800 --target-util 0.7',
    '<%= config.bin %> capacity --rps 5000 --per-replica 800 --target-util 0.7 --headroom 0.2 --n-plus-one',
    '<%= config.bin %> capacity --rps 1200 --per-replica 150 --target-util 0.6 --json',
  ]

  static override flags = {
    rps: Flags.string({ summary: 'Peak load in requests per second.', required: true, helpValue: 'N' }),
    'per-replica': Flags.string({ summary: 'Requests per second one replica serves at full load.', required: true, helpValue: 'N' }),
    'target-util': Flags.string({ summary: 'Utilisation to run at, a fraction (0.7 = 70%).', default: '0.7', helpValue: 'F' }),
    headroom: Flags.string({ summary: 'Extra share of peak to plan for (0.2 = 20%).', default: '0', helpValue: 'F' }),
    'n-plus-one': Flags.boolean({ summary: 'Add one replica so losing any one still meets the target.' }),
  }

  async run(): Promise<CapacityResult> {
    const { flags } = await this.parse(Capacity)
    const result = planCapacity({
      peak: numberFlag('rps', flags.rps),
      perReplica: numberFlag('per-replica', flags['per-replica']),
      targetUtilization: numberFlag('target-util', flags['target-util']),
      headroom: numberFlag('headroom', flags.headroom),
      nPlusOne: flags['n-plus-one'],
    })
    for (const line of result.formula) this.out(line)
    this.out(this.style.bold(`replicas: ${result.replicas}`))
    return result
  }
}
