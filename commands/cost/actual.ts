import path from 'node:path'
import { Flags } from '@oclif/core'
import { manifestFlag, numberFlag, StratoCommand, targetFlag } from '../../cli/base.js'
import { actualReport, focusSpend, type SpendLine } from '../../src/costs/actual.js'
import { targetSpend } from '../../src/costs/actual-sources.js'
import { actualJson, renderActualCsv, renderActualMarkdown, renderActualTable, type SourceNote } from '../../src/costs/actual-report.js'
import { budgetGateError, budgetJson, checkActualBudget, monthToDate } from '../../src/costs/budget.js'
import { COST_COLUMNS, type CostColumn } from '../../src/costs/focus.js'
import { readFocusFile } from '../../src/costs/focus-file.js'
import { COST_FORMATS } from '../../src/costs/output-format.js'
import { effectiveTargets, selectTargets } from '../../src/manifest/defaults.js'
import { findManifest, type LoadedManifest } from '../../src/manifest/load.js'
import { UserError } from '../../src/errors.js'

export default class CostActual extends StratoCommand {
  static override summary = 'What the project really cost: providers\' reported spend and FOCUS export files.'
  static override description = `Without --focus, asks each target's provider for this month's spend (AWS Cost Explorer, Azure Cost Management, GCP billing export); a provider not built yet is shown as a warning, and a target whose spend cannot be read fails the run after the rest is shown. Docker targets report no spend: their hosts' declared cost is spread over the days and shared by the reservations of the running containers (by their current use, for services that reserve nothing).
With --focus FILE (CSV, CSV.gz or Parquet; repeatable), reads FOCUS cost exports from any of the three clouds, streamed, and groups spend by the strato.project and strato.service tags; untagged spend is shown separately. Malformed lines are counted and listed with their line numbers.
With a budget (budgets.monthly or --budget), exits with code 3 when the project's month-to-date spend, extrapolated to month end, exceeds it.`
  static override examples = [
    '<%= config.bin %> cost actual --focus export.csv',
    '<%= config.bin %> cost actual --focus focus.parquet --by day --format csv',
    '<%= config.bin %> cost actual --budget 500 --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    focus: Flags.string({ summary: 'A FOCUS export file (CSV, .csv.gz or .parquet); repeat for several.', multiple: true, helpValue: 'FILE' }),
    'cost-column': Flags.string({ summary: 'Which FOCUS cost column to sum.', options: [...COST_COLUMNS], default: 'BilledCost' }),
    by: Flags.string({ summary: 'Group by service over the period, or by service and day.', options: ['service', 'day'], default: 'service' }),
    format: Flags.string({ summary: 'Output format (--json for JSON).', options: [...COST_FORMATS], default: 'table' }),
    budget: Flags.string({ summary: 'Monthly budget to gate on (overrides budgets.monthly).', helpValue: 'AMOUNT' }),
  }

  async run() {
    const { flags } = await this.parse(CostActual)
    const progress = this.progress()
    const loaded = flags.focus ? this.optionalManifest(flags.manifest) : this.loadManifest(flags.manifest)
    const lines: SpendLine[] = []
    const notes: SourceNote[] = []
    for (const file of flags.focus ?? []) {
      progress.step(`Reading ${file}`)
      const summary = await readFocusFile(file, flags['cost-column'] as CostColumn)
      lines.push(...focusSpend(summary, path.basename(file)))
      notes.push({ source: file, detail: `FOCUS ${summary.format}, ${summary.flavour} flavour, ${summary.rows} rows summed from ${summary.costColumn}`, malformed: summary.malformed })
      if (summary.malformed.count > 0) progress.warn(`${summary.malformed.count} malformed line(s) in ${file}, first at line ${summary.malformed.lines[0].line}: ${summary.malformed.lines[0].reason}`)
    }
    const fromTargets = !flags.focus && loaded ? await this.targetSpend(loaded, flags.target) : undefined
    if (fromTargets) {
      lines.push(...fromTargets.lines)
      notes.push(...fromTargets.notes)
    }

    const report = actualReport(lines, flags.by as 'service' | 'day')
    if (flags.format === 'csv') this.out(renderActualCsv(report).trimEnd())
    else if (flags.format === 'markdown') this.out(renderActualMarkdown(report, notes).trimEnd())
    else this.out(renderActualTable(report, notes, this.style.bold))
    const result = actualJson(report, notes)

    const budget = flags.budget === undefined ? loaded?.manifest.budgets?.monthly : numberFlag('budget', flags.budget)
    // Spend that could not be read fails the run after showing the rest, so CI never passes on partial numbers.
    const failed = fromTargets?.failures[0]
    if (failed) throw new UserError(`Spend from target ${failed.target} could not be read: ${failed.error.message}`, { ...failed.error.options, data: { result } })
    if (budget === undefined) return result
    const currency = loaded?.manifest.budgets?.currency ?? 'USD'
    const check = checkActualBudget(lines, loaded?.manifest.name, budget, currency, new Date())
    const withBudget = { ...result, budget: budgetJson(check) }
    if (check.exceeded) throw budgetGateError(check, withBudget)
    this.out(`\n${check.summary}`)
    return withBudget
  }

  /** Month to date, from each target's provider. */
  private async targetSpend(loaded: LoadedManifest, only: string | undefined) {
    const progress = this.progress()
    const { openTarget } = await import('../../cli/targets.js')
    const { descriptorOf } = await import('../../providers/descriptors.js')
    const open = (name: string) => openTarget(loaded, name, progress)
    return targetSpend(loaded.manifest, selectTargets(effectiveTargets(loaded.manifest), only), monthToDate(new Date()), open, progress, descriptorOf)
  }

  /** With --focus the manifest is optional: it only names the project and its budget. */
  private optionalManifest(flag: string | undefined): LoadedManifest | undefined {
    return flag === undefined && !findManifest(process.cwd()) ? undefined : this.loadManifest(flag)
  }
}
