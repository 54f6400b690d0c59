import { NotBuiltCommand, manifestFlag, targetFlag } from '../../cli/base.js'

export default class Check extends NotBuiltCommand {
  static override summary = 'Security and compliance rules over the project\'s files and live targets.'
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --format sarif > strato.sarif',
    '<%= config.bin %> check --fail-on high',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
