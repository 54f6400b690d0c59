import { NotBuiltCommand, manifestFlag } from '../../cli/base.js'

export default class AutoscaleSimulate extends NotBuiltCommand {
  static override summary = 'What-if: replay a load trace through the manifest\'s autoscaling policy.'
  static override examples = [
    '<%= config.bin %> autoscale simulate --trace load.csv --service orders',
  ]

  static override flags = { manifest: manifestFlag }
}
