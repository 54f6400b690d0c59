import { Flags } from '@oclif/core'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { StratoCommand, manifestFlag, targetFlag } from '../../cli/base.js'
import { imageMapFlag, openTargets } from '../../cli/targets.js'
import { runController } from '../../src/autoscaling/controller.js'
import type { Decision } from '../../src/autoscaling/policy.js'
import { controllerPort } from '../../src/autoscaling/provider-port.js'
import { renderComposeService, renderSystemdUnit } from '../../src/autoscaling/service-unit.js'
import { usageError } from '../../src/errors.js'

export default class AutoscaleRun extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Run the autoscaling controller for docker targets.'
  static override description = 'Reads container CPU from the engine, applies each service\'s autoscale policy (target tracking, steps, min, max, cooldown, stabilisation window) and scales through the balancer. Every decision is printed with its reason.'
  static override examples = [
    '<%= config.bin %> autoscale run',
    '<%= config.bin %> autoscale run --once',
    '<%= config.bin %> autoscale run --print-systemd > /etc/systemd/system/strato-autoscale.service',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    'image-map': imageMapFlag,
    once: Flags.boolean({ summary: 'Evaluate once and exit (for cron or CI).' }),
    interval: Flags.integer({ summary: 'Seconds between evaluations.', default: 15, min: 1 }),
    'print-systemd': Flags.boolean({ summary: 'Print a systemd unit that runs this controller permanently, and exit.' }),
    'print-compose': Flags.string({ summary: 'Print a compose service running the controller from this image, and exit.', helpValue: 'IMAGE' }),
  }

  async run(): Promise<{ decisions: Decision[] } | { unit: string }> {
    const { flags } = await this.parse(AutoscaleRun)
    const loaded = this.loadManifest(flags.manifest)
    const install = { projectDir: loaded.dir, strato: path.resolve(process.argv[1]), project: loaded.manifest.name, intervalSeconds: flags.interval, imageMap: flags['image-map'] }
    if (flags['print-systemd'] || flags['print-compose']) {
      const unit = flags['print-compose'] ? renderComposeService({ ...install, image: flags['print-compose'] }) : renderSystemdUnit(install)
      this.out(unit.trimEnd())
      return { unit }
    }
    const policies = Object.fromEntries(Object.entries(loaded.manifest.services).flatMap(([name, service]) => (service.autoscale ? [[name, service.autoscale]] : [])))
    if (Object.keys(policies).length === 0) throw usageError('No service in strato.yaml has an autoscale policy.', 'Add services.<name>.autoscale: { min, max, target: { cpu: 60 } }.')
    const targets = await openTargets(loaded, flags.target, this.progress(), { imageMap: flags['image-map'] })
    const decisions: Decision[] = []
    const abort = new AbortController()
    process.once('SIGINT', () => abort.abort())
    process.once('SIGTERM', () => abort.abort())
    try {
      for (const { name, provider } of targets.open.filter((entry) => entry.provider.kind === 'docker')) {
        decisions.push(...await runController({
          policies,
          port: controllerPort(provider, loaded.manifest.name, flags.interval),
          now: Date.now,
          sleep: (ms) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined),
          log: (decision) => this.out(`${decision.at} ${name} ${decision.service} ${decision.current} -> ${decision.desired} ${decision.action}: ${decision.reason}`),
          intervalMs: flags.interval * 1000,
          rounds: flags.once ? 1 : undefined,
          signal: abort.signal,
        }))
      }
    } finally {
      await targets.close()
    }
    return { decisions }
  }
}
