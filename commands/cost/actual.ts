import { Flags } from '@oclif/core'
import { manifestFlag, numberFlag, StratoCommand, targetFlag } from '../../cli/base.js'
import { actualReport, providerGroups, spendPeriod } from '../../src/costs/actual.js'
import { targetSpend } from '../../src/costs/actual-sources.js'
import { actualJson, renderActualCsv, renderActualMarkdown, renderActualTable } from '../../src/costs/actual-report.js'
import { budgetGateError, budgetJson, checkActualBudget, monthToDate } from '../../src/costs/budget.js'
import { parseQuery, type FocusQuery } from '../../src/costs/focus-query.js'
import { readFocusSpend } from '../../src/costs/focus-spend.js'
import { COST_FORMATS } from '../../src/costs/output-format.js'
import { effectiveTargets, selectTargets } from '../../src/manifest/defaults.js'
import { findManifest, type LoadedManifest } from '../../src/manifest/load.js'
import { usageError, UserError } from '../../src/errors.js'

export default class CostActual extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'gate', 'unreachable', 'denied', 'notSupported'] as const
  static override summary = 'What the project really cost: FOCUS export files, or the providers\' reported spend.'
  static override description = `With --focus FILE (CSV, CSV.gz or Parquet; repeatable), reads FOCUS cost exports from any cloud and sums every row exactly: BilledCost (what was invoiced) and EffectiveCost (amortised) unless --metric says otherwise, grouped by strato's project and service tags and the provider unless --by says otherwise (any FOCUS column, tag:<key>, project, service, provider, day, month). Rows whose tags cannot be read count as untagged spend, with a warning; a row whose cost, date or currency cannot be read stops the run (exit 2, with its line and column) unless --skip-bad-rows, which says what it skipped and how much that held. Days are UTC days of ChargePeriodStart.
Without --focus, asks each target's provider for the period's spend (month to date unless --from/--to), as billed cost; a provider not built yet is shown as a warning, a target whose spend cannot be read fails the run after the rest is shown, and docker targets share their hosts' declared cost by the reservations of the running containers.
With a budget (budgets.monthly or --budget), exits 3 when the project's spend in the first metric, month to date extrapolated to month end, exceeds it.`
  static override examples = [
    '<%= config.bin %> cost actual --focus export.csv',
    '<%= config.bin %> cost actual --focus focus.parquet --by ServiceName,RegionId --metric effective',
    '<%= config.bin %> cost actual --focus aws.csv.gz --focus azure.csv --by tag:team --by month --format csv',
    '<%= config.bin %> cost actual --focus export.csv --from 2026-11-01 --to 2026-11-15 --where ChargeCategory=Usage',
    '<%= config.bin %> cost actual --budget 500 --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    target: targetFlag,
    focus: Flags.string({ summary: 'A FOCUS export file (CSV, .csv.gz or .parquet); repeat for several.', multiple: true, helpValue: 'FILE' }),
    by: Flags.string({ summary: 'Group by: a FOCUS column, tag:<key>, project, service, provider, day or month; comma-separated or repeated (default project,service,provider).', multiple: true, helpValue: 'KEY' }),
    metric: Flags.string({ summary: 'Sum billed (BilledCost), effective (EffectiveCost), list (ListCost) or contracted (ContractedCost); comma-separated or repeated (default billed,effective).', multiple: true, helpValue: 'METRIC' }),
    from: Flags.string({ summary: 'First UTC day to count (YYYY-MM-DD).', helpValue: 'DAY' }),
    to: Flags.string({ summary: 'Last UTC day to count, included (YYYY-MM-DD).', helpValue: 'DAY' }),
    where: Flags.string({ summary: 'Keep only rows where COLUMN=VALUE (or COLUMN!=VALUE); repeat to require several.', multiple: true, helpValue: 'COLUMN=VALUE' }),
    'skip-bad-rows': Flags.boolean({ summary: 'Leave out rows whose cost, date or currency cannot be read, and say how much they held, instead of failing.' }),
    format: Flags.string({ summary: 'Output format (--json for JSON).', options: [...COST_FORMATS], default: 'table' }),
    budget: Flags.string({ summary: 'Monthly budget to gate on (overrides budgets.monthly).', helpValue: 'AMOUNT' }),
  }

  async run() {
    const { flags } = await this.parse(CostActual)
    const query = parseQuery({ metric: flags.metric, by: flags.by, where: flags.where, from: flags.from, to: flags.to, skipBadRows: flags['skip-bad-rows'] })
    const loaded = flags.focus ? this.optionalManifest(flags.manifest) : this.loadManifest(flags.manifest)
    const spend = flags.focus ? await readFocusSpend(flags.focus, query, this.progress()) : await this.targetSpend(loaded!, flags.target, query)

    const report = actualReport(spend, query.by, query.metrics)
    // Under --json the returned value is the output: rendering a large report for nothing would cost its memory.
    if (!this.jsonEnabled()) {
      this.out(flags.format === 'csv' ? renderActualCsv(report).trimEnd() : flags.format === 'markdown' ? renderActualMarkdown(report, spend.notes).trimEnd() : renderActualTable(report, spend.notes, this.style.bold))
    }
    const result = actualJson(report, spend.notes)

    const budget = flags.budget === undefined ? loaded?.manifest.budgets?.monthly : numberFlag('budget', flags.budget)
    // Spend that could not be read fails the run after showing the rest, so CI never passes on partial numbers.
    const failed = 'failures' in spend ? (spend.failures as { target: string; error: UserError }[])[0] : undefined
    if (failed) throw new UserError(`Spend from target ${failed.target} could not be read: ${failed.error.message}`, { ...failed.error.options, data: { result } })
    if (budget === undefined) return result
    const currency = loaded?.manifest.budgets?.currency ?? 'USD'
    const check = checkActualBudget(spend.months, loaded?.manifest.name, budget, currency, new Date(), query.metrics[0])
    const withBudget = { ...result, budget: budgetJson(check) }
    if (check.exceeded) throw budgetGateError(check, withBudget)
    this.out(`\n${check.summary}`)
    return withBudget
  }

  /** From each target's provider, as billed cost. */
  private async targetSpend(loaded: LoadedManifest, only: string | undefined, query: FocusQuery) {
    if (query.metricsExplicit && query.metrics.some((metric) => metric !== 'BilledCost')) throw usageError('Providers report billed cost only; --metric other than billed needs FOCUS exports.', 'Pass the exports with --focus FILE, or leave --metric out.')
    if (query.where.length) throw usageError('--where filters rows of FOCUS exports.', 'Pass the exports with --focus FILE, or leave --where out.')
    query.metrics = ['BilledCost']
    const progress = this.progress()
    const { openTarget } = await import('../../cli/targets.js')
    const { descriptorOf } = await import('../../providers/descriptors.js')
    const open = (name: string) => openTarget(loaded, name, progress)
    const period = spendPeriod(query.from, query.to, monthToDate(new Date()))
    const spend = await targetSpend(loaded.manifest, selectTargets(effectiveTargets(loaded.manifest), only), period, open, progress, descriptorOf)
    return { ...providerGroups(spend.lines, query.by), notes: spend.notes, failures: spend.failures }
  }

  /** With --focus the manifest is optional: it only names the project and its budget. */
  private optionalManifest(flag: string | undefined): LoadedManifest | undefined {
    return flag === undefined && !findManifest(process.cwd()) ? undefined : this.loadManifest(flag)
  }
}
