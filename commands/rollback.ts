import { NotBuiltCommand, manifestFlag, targetFlag, yesFlag } from '../cli/base.js'

export default class Rollback extends NotBuiltCommand {
  static override summary = 'Return to the previous or a named version through a health-gated rollout.'
  static override examples = [
    '<%= config.bin %> rollback',
    '<%= config.bin %> rollback --to 3f9c2a1',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag, yes: yesFlag }
}
