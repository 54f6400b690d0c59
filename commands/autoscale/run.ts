import { Flags } from '@oclif/core'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { StratoCommand, manifestFlag, targetFlag } from '../../cli/base.js'
import { openHybridTargets } from '../../cli/hybrid-autoscale.js'
import { imageMapFlag, providerSettings } from '../../cli/targets.js'
import { failedRunCode, renderDecision, runHybridController, type RecordedDecision, type RecordedMove } from '../../src/autoscaling/hybrid-controller.js'
import { renderComposeService, renderSystemdUnit } from '../../src/autoscaling/service-unit.js'
import { usageError, UserError } from '../../src/errors.js'

export default class AutoscaleRun extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied', 'conflict', 'notSupported'] as const
  static override summary = 'Run the autoscaling controller: one decision per service, placed across its targets.'
  static override description = `Reads each service's metric on every target it runs on (weighted by replicas), applies its autoscale policy once for the whole service (target tracking, steps, min, max, cooldown, stabilisation window, scale-in limit) and places the result like deploy does: fill targets in placement order up to each max, overflow to the next; fewer replicas leave the last-filled target first.
Every decision is printed with its reason per target (--json gives the same records). A target that cannot be reached or refuses does not stop the others; the exit code then says which error happened.`
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

  async run(): Promise<{ decisions: RecordedDecision[]; failed: RecordedMove[] } | { unit: string }> {
    const { flags } = await this.parse(AutoscaleRun)
    const loaded = this.loadManifest(flags.manifest)
    const install = { projectDir: loaded.dir, strato: path.resolve(process.argv[1]), project: loaded.manifest.name, intervalSeconds: flags.interval, imageMap: flags['image-map'] }
    if (flags['print-systemd'] || flags['print-compose']) {
      const unit = flags['print-compose'] ? renderComposeService({ ...install, image: flags['print-compose'] }) : renderSystemdUnit(install)
      this.out(unit.trimEnd())
      return { unit }
    }
    const progress = this.progress()
    const hybrid = await openHybridTargets(loaded, flags.target, progress, providerSettings(flags), flags.interval)
    if (Object.keys(hybrid.services).length === 0) throw usageError('No service in strato.yaml has an autoscale policy on these targets.', 'Add services.<name>.autoscale: { min, max, target: { cpu: 60 } }.')
    const abort = new AbortController()
    process.once('SIGINT', () => abort.abort())
    process.once('SIGTERM', () => abort.abort())
    let result
    try {
      result = await runHybridController({
        services: hybrid.services,
        ports: hybrid.ports,
        now: Date.now,
        sleep: (ms) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined),
        log: (decision) => this.out(renderDecision(decision)),
        intervalMs: flags.interval * 1000,
        rounds: flags.once ? 1 : undefined,
        signal: abort.signal,
      })
    } finally {
      await hybrid.close()
    }
    const { decisions, failed } = result
    const code = failedRunCode(failed)
    if (code) throw new UserError(`${failed.length} target move${failed.length === 1 ? '' : 's'} failed: ${failed.map((move) => `${move.target} (${move.error})`).join('; ')}.`, { code, fix: 'The other targets were scaled; fix the failing target and run again.', data: { decisions, failed } })
    return { decisions, failed }
  }
}
