import { NotBuiltCommand, manifestFlag, targetFlag, yesFlag } from '../cli/base.js'

export default class Deploy extends NotBuiltCommand {
  static override summary = 'Build, roll out health-gated and roll back on failure, per target.'
  static override examples = [
    '<%= config.bin %> deploy',
    '<%= config.bin %> deploy --target aws --yes',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag, yes: yesFlag }
}
