import { NotBuiltCommand, manifestFlag } from '../../cli/base.js'

export default class Cost extends NotBuiltCommand {
  static override summary = 'Estimate what the manifest costs per month, per service and target.'
  static override examples = [
    '<%= config.bin %> cost',
    '<%= config.bin %> cost --format markdown',
  ]

  static override flags = { manifest: manifestFlag }
}
