import { NotBuiltCommand, manifestFlag, targetFlag } from '../../cli/base.js'

export default class AutoscaleApply extends NotBuiltCommand {
  static override summary = 'Apply the manifest\'s autoscaling policies as native policies on cloud targets.'
  static override examples = [
    '<%= config.bin %> autoscale apply',
    '<%= config.bin %> autoscale apply --target aws',
  ]

  static override flags = { manifest: manifestFlag, target: targetFlag }
}
