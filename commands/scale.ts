import { Args } from '@oclif/core'
import { NotBuiltCommand, manifestFlag, targetFlag } from '../cli/base.js'

export default class Scale extends NotBuiltCommand {
  static override summary = 'Set a service\'s replicas, across targets by placement.'
  static override examples = [
    '<%= config.bin %> scale orders 4',
    '<%= config.bin %> scale users 2 --target onprem',
  ]

  static override args = {
    service: Args.string({ description: 'The service to scale.', required: true }),
    replicas: Args.string({ description: 'The number of replicas wanted.', required: true }),
  }

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
