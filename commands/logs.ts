import { Args, Flags } from '@oclif/core'
import { StratoCommand, manifestFlag, targetFlag } from '../cli/base.js'
import { openTargets, providerSettings } from '../cli/targets.js'
import { checkService } from '../src/planning/scale.js'

export default class Logs extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Show a service\'s container logs.'
  static override examples = [
    '<%= config.bin %> logs orders',
    '<%= config.bin %> logs orders --follow',
  ]

  static override args = {
    service: Args.string({ description: 'The service whose logs to show.', required: true }),
  }

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    tail: Flags.integer({ char: 'n', summary: 'Lines per replica to start from.', default: 50, min: 0 }),
    follow: Flags.boolean({ char: 'F', summary: 'Keep printing new lines until interrupted.' }),
  }

  async run(): Promise<{ service: string; lines: string[] }> {
    const { args, flags } = await this.parse(Logs)
    const loaded = this.loadManifest(flags.manifest)
    checkService(loaded.manifest, args.service)
    const targets = await openTargets(loaded, flags.target, this.progress(), providerSettings(), 'logs')
    const lines: string[] = []
    try {
      for (const { name, provider } of targets.open) {
        await provider.logs(args.service, { tail: flags.tail, follow: flags.follow }, (line) => {
          lines.push(line)
          this.out(targets.open.length > 1 ? `${name} ${line}` : line)
        })
      }
    } finally {
      await targets.close()
    }
    return { service: args.service, lines }
  }
}
