import { Args } from '@oclif/core'
import { NotBuiltCommand, manifestFlag, targetFlag } from '../cli/base.js'

export default class Logs extends NotBuiltCommand {
  static override summary = 'Show a service\'s container logs.'
  static override examples = [
    '<%= config.bin %> logs orders',
    '<%= config.bin %> logs orders --follow',
  ]

  static override args = {
    service: Args.string({ description: 'The service whose logs to show.', required: true }),
  }

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
