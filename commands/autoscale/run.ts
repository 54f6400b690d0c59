import { NotBuiltCommand, manifestFlag, targetFlag } from '../../cli/base.js'

export default class AutoscaleRun extends NotBuiltCommand {
  static override summary = 'Run the autoscaling controller for docker targets.'
  static override examples = [
    '<%= config.bin %> autoscale run',
    '<%= config.bin %> autoscale run --once',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
