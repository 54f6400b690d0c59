import { Flags } from '@oclif/core'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { drivenTargets } from '../../cli/autoscale.js'
import { StratoCommand, manifestFlag, targetFlag } from '../../cli/base.js'
import { imageMapFlag, openTarget, providerSettings } from '../../cli/targets.js'
import { runControllers } from '../../src/autoscaling/controller.js'
import { controllerPolicy, type Decision } from '../../src/autoscaling/policy.js'
import { controllerPort } from '../../src/autoscaling/provider-port.js'
import { renderComposeService, renderSystemdUnit } from '../../src/autoscaling/service-unit.js'
import { usageError } from '../../src/errors.js'

export default class AutoscaleRun extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Run strato\'s autoscaling controller for the targets it drives (docker hosts).'
  static override description = 'Drives every selected target whose provider has no native autoscaler, all at once: reads each service\'s metrics, applies its autoscale policy (target tracking, steps, min, max, cooldown, stabilisation window, scale-in limit) and scales through the balancer. Every decision is printed with its reason. Targets that scale natively get their policies from `strato autoscale apply`.'
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

  async run(): Promise<{ decisions: (Decision & { target: string })[] } | { unit: string }> {
    const { flags } = await this.parse(AutoscaleRun)
    const loaded = this.loadManifest(flags.manifest)
    const install = { projectDir: loaded.dir, strato: path.resolve(process.argv[1]), project: loaded.manifest.name, intervalSeconds: flags.interval, imageMap: flags['image-map'] }
    if (flags['print-systemd'] || flags['print-compose']) {
      const unit = flags['print-compose'] ? renderComposeService({ ...install, image: flags['print-compose'] }) : renderSystemdUnit(install)
      this.out(unit.trimEnd())
      return { unit }
    }
    const progress = this.progress()
    const driven = drivenTargets(loaded.manifest, flags.target, 'controller', progress).filter((target) => Object.keys(target.policies).length > 0)
    if (driven.length === 0) throw usageError('No service with an autoscale policy runs on a target strato\'s controller drives.', 'Add services.<name>.autoscale: { min, max, target: { cpu: 60 } } to a service placed on a docker target; cloud targets scale with `strato autoscale apply`.')
    const abort = new AbortController()
    process.once('SIGINT', () => abort.abort())
    process.once('SIGTERM', () => abort.abort())
    const providers = await Promise.all(driven.map(({ name }) => openTarget(loaded, name, progress, providerSettings(flags))))
    try {
      // One controller per target, all at once, stopped together by one signal (a failing one stops the others).
      const byTarget = await runControllers(Object.fromEntries(driven.map(({ name, policies }, index) => [name, {
        policies: Object.fromEntries(Object.entries(policies).map(([service, policy]) => [service, controllerPolicy(policy)])),
        port: controllerPort(providers[index], loaded.manifest.name, flags.interval),
        now: Date.now,
        sleep: (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined),
        log: (decision: Decision & { at: string }) => this.out(`${decision.at} ${name} ${decision.service} ${decision.current} -> ${decision.desired} ${decision.action}: ${decision.reason}`),
        intervalMs: flags.interval * 1000,
        rounds: flags.once ? 1 : undefined,
      }])), abort)
      const decisions = Object.entries(byTarget).flatMap(([target, made]) => made.map((decision) => ({ ...decision, target })))
      return { decisions }
    } finally {
      await Promise.all(providers.map((provider) => provider.close()))
    }
  }
}
