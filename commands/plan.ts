import { NotBuiltCommand, manifestFlag, targetFlag } from '../cli/base.js'

export default class Plan extends NotBuiltCommand {
  static override summary = 'Show what deploy would change on each target; changes nothing.'
  static override examples = [
    '<%= config.bin %> plan',
    '<%= config.bin %> plan --target onprem --json',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
