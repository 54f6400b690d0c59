import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { manifestFlag, StratoCommand, targetFlag } from '../../cli/base.js'
import { createStyle } from '../../cli/style.js'
import { SEVERITIES } from '../../src/manifest/schema.js'
import type { LoadedManifest } from '../../src/manifest/load.js'
import { usageError } from '../../src/errors.js'
import { runChecks } from '../../src/checks/engine.js'
import { failOnFor, locateCheckProject } from '../../src/checks/project.js'
import { collectProjectFiles } from '../../src/checks/project-files.js'
import { ALL_RULES } from '../../src/checks/rules/index.js'
import { renderReport, rulesDocUrlFrom, REPORT_FORMATS, summaryLine, type ReportFormat } from '../../src/checks/report-formats.js'

export default class Check extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'gate', 'unreachable', 'denied', 'notSupported'] as const
  static override summary = 'Security and compliance rules over the project\'s files and live targets.'
  static override description = `Static checks read the project's Dockerfiles, compose files, strato.yaml, committed .env files and source files; with --live (or --target) the targets' live facts are checked too.
Suppress a finding with checks.skip in strato.yaml (id, reason, optional until and path) or an inline comment \`strato:ignore RULE-ID [until=YYYY-MM-DD] reason\`; expired suppressions are findings themselves.
Exits with code 3 when a finding at or above --fail-on remains: the flag, else checks.failOn from strato.yaml, else high; --fail-on none never fails.`
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --format sarif --output strato.sarif',
    '<%= config.bin %> check --fail-on high',
    '<%= config.bin %> check --live --target onprem',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    dir: Flags.string({ summary: 'Project folder to check (default: the manifest\'s folder, else the current one).', helpValue: 'DIR' }),
    format: Flags.string({ summary: 'Output format (--json is the same as --format json).', options: [...REPORT_FORMATS], default: 'table' }),
    'fail-on': Flags.string({ summary: 'Exit 3 when a finding at or above this severity remains (default: checks.failOn, else high; none never fails).', options: [...SEVERITIES, 'none'] }),
    live: Flags.boolean({ summary: 'Also check the targets\' live facts (containers, security groups...).', exclusive: ['static-only'] }),
    'static-only': Flags.boolean({ summary: 'Only check the project\'s files (the default unless --live or --target).', exclusive: ['live', 'target'] }),
    output: Flags.string({ char: 'o', summary: 'Write the report to this file instead of stdout.', helpValue: 'FILE' }),
  }

  async run() {
    const { flags } = await this.parse(Check)
    const progress = this.progress()
    const project = locateCheckProject(flags, process.cwd())
    const manifest = project.loaded?.manifest
    const live = flags.live || flags.target ? await this.liveFacts(project.loaded, flags.target) : { facts: [], warnings: [] }
    const facts = live.facts
    const warnings = [...project.warnings, ...live.warnings]
    for (const warning of warnings) progress.warn(warning)

    const failOn = failOnFor(flags['fail-on'], manifest?.checks?.failOn)
    const report = runChecks(
      { files: collectProjectFiles(project.root), facts, skips: project.skips },
      { today: new Date().toISOString().slice(0, 10), requiredTags: manifest?.checks?.requiredTags ?? [], failOn },
    )
    const result = { root: project.root, ...report, warnings }
    if (report.failed) process.exitCode = 3

    const format = (this.jsonEnabled() ? 'json' : flags.format) as ReportFormat
    const rendered = renderReport(format, report, ALL_RULES, {
      paint: flags.output ? createStyle(false) : this.style, json: result, version: this.config.version, rulesDocUrl: rulesDocUrlFrom(process.env), targetAnchors: project.targetAnchors, manifestAnchor: project.manifestAnchor,
    })
    if (flags.output) {
      writeFileSync(flags.output, `${rendered.trimEnd()}\n`)
      progress.done(`Wrote ${format} to ${flags.output}. ${summaryLine(report)}`)
    } else if (!this.jsonEnabled()) {
      process.stdout.write(`${rendered.trimEnd()}\n`)
    }
    if (report.failed && format !== 'table') progress.warn(`Failing: findings at or above ${report.failOn} remain.`)
    return result
  }

  private async liveFacts(loaded: LoadedManifest | undefined, only: string | undefined) {
    if (!loaded) throw usageError('Live checks need the targets from a valid strato.yaml.', 'Run inside a project, pass -f path/to/strato.yaml, or drop --live/--target.')
    const { liveFacts } = await import('../../cli/targets.js')
    return liveFacts(loaded, only, this.progress())
  }
}
