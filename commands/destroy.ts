import { NotBuiltCommand, manifestFlag, targetFlag, yesFlag } from '../cli/base.js'

export default class Destroy extends NotBuiltCommand {
  static override summary = 'Remove everything labelled with the project, and prove it.'
  static override examples = [
    '<%= config.bin %> destroy --yes',
    '<%= config.bin %> destroy --target onprem --yes --volumes',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag, yes: yesFlag }
}
