import { NotBuiltCommand, manifestFlag, targetFlag } from '../cli/base.js'

export default class Status extends NotBuiltCommand {
  static override summary = 'Services, replicas, health, versions and endpoints per target.'
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --watch',
    '<%= config.bin %> status --target aws --json',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
