import { existsSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { UserError } from '../src/errors.js'
import { runDoctor, type DoctorCheck } from '../src/doctor.js'
import { effectiveTargets } from '../src/manifest/defaults.js'
import { findManifest } from '../src/manifest/load.js'
import { renderTable } from '../src/output/table.js'
import { systemProbes } from '../cli/doctor-probes.js'
import { StratoCommand, manifestFlag } from '../cli/base.js'
import { descriptorOf } from '../providers/descriptors.js'

export default class Doctor extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage'] as const
  static override summary = 'Check what is installed, reachable and authorised, per target.'
  static override description = 'Checks Node.js, the Docker engine of every docker host, and that credentials are present for every cloud target in strato.yaml (without a manifest: the local Docker engine). Exits 1 when a check fails, and says what to do.'
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor -f deploy/strato.yaml --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    strict: Flags.boolean({ summary: 'Also fail on warnings.' }),
  }

  async run(): Promise<{ ok: boolean; checks: DoctorCheck[] }> {
    const { flags } = await this.parse(Doctor)
    const file = flags.manifest ?? findManifest(process.cwd())
    const manifest = file && (flags.manifest || existsSync(file)) ? this.loadManifest(file).manifest : undefined
    const checks = await runDoctor(effectiveTargets(manifest), await systemProbes(), descriptorOf)

    const style = this.style
    const mark = { ok: style.green('ok'), warn: style.yellow('warn'), fail: style.red('fail') }
    this.out(renderTable(['CHECK', 'TARGET', 'STATUS', 'DETAIL'], checks.map((check) => [check.name, check.target ?? '-', mark[check.status], check.detail])))
    for (const check of checks.filter((c) => c.fix)) this.out(`${style.bold('fix')} ${check.name}: ${check.fix}`)

    const failed = checks.filter((check) => check.status === 'fail' || (flags.strict && check.status === 'warn'))
    if (failed.length > 0 && !this.jsonEnabled()) {
      throw new UserError(`${failed.length} of ${checks.length} checks failed.`, { code: 'failure', fix: 'Follow the fix lines above, then run `strato doctor` again.' })
    }
    if (failed.length > 0) process.exitCode = 1
    return { ok: failed.length === 0, checks }
  }
}
