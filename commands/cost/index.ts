import { Flags } from '@oclif/core'
import { manifestFlag, numberFlag, StratoCommand } from '../../cli/base.js'
import { budgetGateError, budgetJson } from '../../src/costs/budget.js'
import { loadCatalog } from '../../src/costs/catalog-file.js'
import { estimateManifest, SCENARIOS, type Scenario } from '../../src/costs/estimate.js'
import { checkEstimateBudget, estimateJson, renderEstimateCsv, renderEstimateMarkdown, renderEstimateTable } from '../../src/costs/estimate-report.js'
import { COST_FORMATS } from '../../src/costs/output-format.js'
import { descriptorOf } from '../../providers/descriptors.js'

export default class Cost extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'gate'] as const
  static override summary = 'Estimate what the manifest costs per month, per service and target.'
  static override description = `Prices the manifest as it would be deployed: replicas × 730 hours × the hourly price of each target's instance type, plus a root disk per replica and, on each cloud target, one public load balancer shared by the public services there and one internal balancer shared by the private ones (on AWS also their capacity units, from the request rates the services declare in autoscale.target.requests); docker targets charge each service its share of the hosts' declared cost by the CPU and memory it reserves (the larger of the two shares).
Placement is honoured (fill targets in order up to max, overflow to the next).
Autoscaled services are priced at min, expected and max replicas: min and max come from autoscale; expected is replicas when set, else the midpoint of min and max rounded up.
A price missing from the catalog is named in a warning and shown as unknown, never as zero; totals then read "at least".
With a budget (budgets.monthly in strato.yaml or --budget), exits with code 3 when the expected total (or --budget-on min|max) exceeds it.`
  static override examples = [
    '<%= config.bin %> cost',
    '<%= config.bin %> cost --format markdown',
    '<%= config.bin %> cost --budget 500 --json',
  ]

  static override flags = {
    manifest: manifestFlag,
    format: Flags.string({ summary: 'Output format (--json for JSON).', options: [...COST_FORMATS], default: 'table' }),
    budget: Flags.string({ summary: 'Monthly budget to gate on (overrides budgets.monthly).', helpValue: 'AMOUNT' }),
    'budget-on': Flags.string({ summary: 'Which estimate the budget gate compares.', options: [...SCENARIOS], default: 'expected' }),
    prices: Flags.string({ summary: 'Price catalog file (default: the refreshed one in ~/.config/strato, else the shipped snapshot).', helpValue: 'FILE' }),
  }

  async run() {
    const { flags } = await this.parse(Cost)
    const { manifest } = this.loadManifest(flags.manifest)
    const estimate = estimateManifest(manifest, loadCatalog(flags.prices, process.env), descriptorOf)
    const progress = this.progress()
    for (const warning of estimate.warnings) progress.warn(warning)

    if (flags.format === 'csv') this.out(renderEstimateCsv(estimate).trimEnd())
    else if (flags.format === 'markdown') this.out(renderEstimateMarkdown(estimate).trimEnd())
    else this.out(renderEstimateTable(estimate, this.style.bold))

    const result = estimateJson(estimate)
    const budget = flags.budget === undefined ? manifest.budgets?.monthly : numberFlag('budget', flags.budget)
    if (budget === undefined) return result
    const check = checkEstimateBudget(estimate, budget, flags['budget-on'] as Scenario)
    const withBudget = { ...result, budget: budgetJson(check) }
    if (check.exceeded) throw budgetGateError(check, withBudget)
    if (flags.format === 'csv') progress.done(check.summary)
    else this.out(`\n${check.summary}`)
    return withBudget
  }
}
