import { NotBuiltCommand, manifestFlag, targetFlag } from '../cli/base.js'

export default class Releases extends NotBuiltCommand {
  static override summary = 'List the versions deployed, read back from the targets.'
  static override examples = [
    '<%= config.bin %> releases',
    '<%= config.bin %> releases --json',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
