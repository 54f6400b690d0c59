import { Args } from '@oclif/core'
import { StratoCommand, manifestFlag, targetFlag } from '../cli/base.js'
import { imageMapFlag, openTargets, providerSettings } from '../cli/targets.js'
import { splitReplicas } from '../src/planning/desired.js'
import { checkService, parseReplicaCount } from '../src/planning/scale.js'

export default class Scale extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Set a service\'s replicas, across targets by placement.'
  static override description = 'Replicas are added and removed through the balancer: new ones take traffic once healthy, old ones are drained first, so no request is dropped.'
  static override examples = [
    '<%= config.bin %> scale orders 4',
    '<%= config.bin %> scale users 2 --target onprem',
  ]

  static override args = {
    service: Args.string({ description: 'The service to scale.', required: true }),
    replicas: Args.string({ description: 'The number of replicas wanted.', required: true }),
  }

  static override flags = { manifest: manifestFlag, target: targetFlag, 'image-map': imageMapFlag }

  async run(): Promise<{ service: string; replicas: Record<string, number> }> {
    const { args, flags } = await this.parse(Scale)
    const loaded = this.loadManifest(flags.manifest)
    checkService(loaded.manifest, args.service)
    const total = parseReplicaCount(args.replicas)
    const progress = this.progress()
    const targets = await openTargets(loaded, flags.target, progress, providerSettings(flags), 'scale')
    try {
      const split = flags.target ? { [flags.target]: total } : splitReplicas(loaded.manifest, targets.targets, args.service, total)
      for (const { name, provider } of targets.open) {
        if (split[name] === undefined) continue
        await provider.scale(args.service, split[name])
        progress.done(`${args.service} on ${name}: ${split[name]} replica${split[name] === 1 ? '' : 's'}`)
        this.out(`${name} ${args.service}: ${split[name]}`)
      }
      return { service: args.service, replicas: split }
    } finally {
      await targets.close()
    }
  }
}
