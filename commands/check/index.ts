import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { manifestFlag, StratoCommand, targetFlag } from '../../cli/base.js'
import { SEVERITIES } from '../../src/manifest/schema.js'
import { effectiveTargets } from '../../src/manifest/defaults.js'
import { UserError, usageError } from '../../src/errors.js'
import type { Fact } from '../../src/model.js'
import { runChecks } from '../../src/checks/engine.js'
import { locateCheckProject } from '../../src/checks/project.js'
import { collectProjectFiles } from '../../src/checks/project-files.js'
import { ALL_RULES } from '../../src/checks/rules/index.js'
import { DEFAULT_RULES_DOC_URL, renderReportJunit, renderReportMarkdown, renderReportSarif, renderReportTable, summaryLine } from '../../src/checks/report-formats.js'

export default class Check extends StratoCommand {
  static override summary = 'Security and compliance rules over the project\'s files and live targets.'
  static override description = `Static checks read the project's Dockerfiles, compose files, strato.yaml, committed .env files and source files; with --live (or --target) the targets' live facts are checked too.
Suppress a finding with checks.skip in strato.yaml (id, reason, optional until and path) or an inline comment \`strato:ignore RULE-ID [until=YYYY-MM-DD] reason\`; expired suppressions are findings themselves.
Exits with code 3 when a finding at or above --fail-on (default: checks.failOn) remains.`
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
    format: Flags.string({ summary: 'Output format (--json is the same as --format json).', options: ['table', 'json', 'sarif', 'junit', 'markdown'], default: 'table' }),
    'fail-on': Flags.string({ summary: 'Exit 3 when a finding at or above this severity remains (default: checks.failOn).', options: [...SEVERITIES, 'none'] }),
    live: Flags.boolean({ summary: 'Also check the targets\' live facts (containers, security groups...).', exclusive: ['static-only'] }),
    'static-only': Flags.boolean({ summary: 'Only check the project\'s files (the default unless --live or --target).', exclusive: ['live', 'target'] }),
    output: Flags.string({ char: 'o', summary: 'Write the report to this file instead of stdout.', helpValue: 'FILE' }),
  }

  async run() {
    const { flags } = await this.parse(Check)
    const progress = this.progress()
    const project = locateCheckProject(flags, process.cwd())
    const warnings = [...project.warnings]
    const manifest = project.loaded?.manifest

    const facts: Fact[] = []
    if (flags.live || flags.target) {
      if (!manifest) throw usageError('Live checks need the targets from a valid strato.yaml.', 'Run inside a project, pass -f path/to/strato.yaml, or drop --live/--target.')
      const { providerFor, selectTargets } = await import('../../providers/registry.js')
      const targets = effectiveTargets(manifest)
      for (const targetName of selectTargets(targets, flags.target)) {
        progress.step(`Reading live facts from target ${targetName}`)
        try {
          const provider = await providerFor({ manifest, targetName, target: targets[targetName], projectDir: project.root, env: process.env, progress })
          try { facts.push(...await provider.facts()) } finally { await provider.close?.() }
        } catch (error) {
          const reason = error instanceof UserError ? error.message : `a bug in the provider (${(error as Error).message})`
          warnings.push(`live checks for target ${targetName} skipped: ${reason}`)
        }
      }
    }
    for (const warning of warnings) progress.warn(warning)

    const failOnFlag = flags['fail-on']
    const failOn = failOnFlag === 'none' ? undefined : (failOnFlag as typeof SEVERITIES[number] | undefined) ?? manifest?.checks?.failOn
    const report = runChecks(
      { files: collectProjectFiles(project.root), facts, skips: project.skips },
      { today: new Date().toISOString().slice(0, 10), requiredTags: manifest?.checks?.requiredTags ?? [], failOn },
    )
    const result = { root: project.root, ...report, warnings }
    if (report.failed) process.exitCode = 3

    const format = this.jsonEnabled() ? 'json' : flags.format
    const rendered = format === 'table' ? renderReportTable(report, this.style)
      : format === 'markdown' ? renderReportMarkdown(report, ALL_RULES)
        : format === 'junit' ? renderReportJunit(report, ALL_RULES)
          : format === 'sarif' ? JSON.stringify(renderReportSarif(report, ALL_RULES, { version: this.config.version, rulesDocUrl: DEFAULT_RULES_DOC_URL, targetAnchors: project.targetAnchors }), null, 2)
            : JSON.stringify(result, null, 2)
    if (flags.output) {
      writeFileSync(flags.output, rendered.endsWith('\n') ? rendered : `${rendered}\n`)
      progress.done(`Wrote ${format} to ${flags.output}. ${summaryLine(report)}`)
    } else if (format !== 'json' || !this.jsonEnabled()) {
      process.stdout.write(rendered.endsWith('\n') ? rendered : `${rendered}\n`)
    }
    if (report.failed && format !== 'table') progress.warn(`Failing: findings at or above ${report.failOn} remain.`)
    return result
  }
}
