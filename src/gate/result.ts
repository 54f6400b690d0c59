/**
 * The gate's result: every input a pull request is judged on (manifest,
 * findings against the base, cost against the base and the budget, the plan
 * of reachable targets), the gates each of them passes or fails, one verdict
 * and one exit code from the shared table. Pure: the caller collects inputs.
 */
import type { CheckReport } from '../checks/engine.js'
import type { Finding, Severity } from '../checks/types.js'
import { budgetJson, type BudgetCheck } from '../costs/budget.js'
import { diffJson, percent, type CostDiff } from '../costs/diff.js'
import { centsNumber, formatMoney } from '../costs/money.js'
import { ExitCode } from '../errors.js'
import type { ManifestProblem } from '../manifest/load.js'
import type { Action } from '../model.js'
import { blockingFindings, compareWithBase, type BaselineFindings } from './baseline.js'
import { checkIncrease, describeLimit, type IncreaseCheck, type IncreaseLimit } from './cost-limits.js'

export interface GateBase {
  /** what was asked for: a ref, or the default branch found */
  ref: string
  /** the commit compared with (the merge base of HEAD and ref) */
  commit: string
}

export type TargetPlan =
  | { target: string; provider: string; status: 'planned'; needed: boolean; actions: Action[] }
  | { target: string; provider: string; status: 'offline' | 'unsupported' | 'unreachable' | 'denied'; needed: boolean; message: string }

export interface GateInput {
  base: GateBase
  manifest: { file: string; problems: ManifestProblem[] }
  findings: { head: CheckReport; base?: CheckReport; failOn?: Severity; failOnExisting: boolean }
  /** undefined when the manifest is not valid */
  cost?: { diff: CostDiff; budget?: BudgetCheck; limits: IncreaseLimit[]; notes: string[] }
  /** undefined when the manifest is not valid */
  plan?: { offline: boolean; targets: TargetPlan[] }
}

export type GateId = 'manifest' | 'findings' | 'cost-increase' | 'budget' | 'plan'
export type GateStatus = 'pass' | 'fail' | 'error' | 'off'

export interface GateCheck {
  id: GateId
  status: GateStatus
  /** what is gated, e.g. "New findings at or above high" */
  title: string
  /** the outcome in a few words */
  outcome: string
}

export interface GateResult {
  verdict: 'pass' | 'fail' | 'error'
  exitCode: number
  /** the verdict in one sentence */
  headline: string
  gates: GateCheck[]
  base: GateBase
  manifest: GateInput['manifest']
  findings: BaselineFindings & { failOn?: Severity; failOnExisting: boolean; blocking: Finding[] }
  cost?: { diff: CostDiff; budget?: BudgetCheck; increases: IncreaseCheck[]; notes: string[] }
  plan?: GateInput['plan']
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

export function evaluateGate(input: GateInput): GateResult {
  const { failOn, failOnExisting } = input.findings
  const compared = compareWithBase(input.findings.head, input.findings.base)
  const blocking = blockingFindings(compared, failOn, failOnExisting)
  const findings = { ...compared, failOn, failOnExisting, blocking }
  const cost = input.cost && { diff: input.cost.diff, budget: input.cost.budget, increases: input.cost.limits.map((limit) => checkIncrease(input.cost!.diff, limit)), notes: input.cost.notes }

  const gates: GateCheck[] = [manifestGate(input.manifest), findingsGate(findings)]
  if (cost) gates.push(increaseGate(cost.diff, cost.increases), budgetGate(cost.budget))
  if (input.plan) gates.push(planGate(input.plan))

  const exitCode = gateExitCode(input, gates)
  const verdict = exitCode === ExitCode.ok ? 'pass' : exitCode === ExitCode.gate ? 'fail' : 'error'
  return { verdict, exitCode, headline: headline(verdict, gates), gates, base: input.base, manifest: input.manifest, findings, cost, plan: input.plan }
}

function manifestGate(manifest: GateInput['manifest']): GateCheck {
  return manifest.problems.length
    ? { id: 'manifest', status: 'error', title: 'Manifest', outcome: `${manifest.file} is not valid (${plural(manifest.problems.length, 'problem')})` }
    : { id: 'manifest', status: 'pass', title: 'Manifest', outcome: `${manifest.file} is valid` }
}

function findingsGate(findings: GateResult['findings']): GateCheck {
  const scope = findings.failOnExisting ? 'Findings' : 'New findings'
  if (!findings.failOn) return { id: 'findings', status: 'off', title: 'Findings', outcome: `${plural(findings.new.length, 'new finding')}; no --fail-on threshold` }
  const title = `${scope} at or above ${findings.failOn}`
  return findings.blocking.length
    ? { id: 'findings', status: 'fail', title, outcome: `${plural(findings.blocking.length, findings.failOnExisting ? 'finding' : 'new finding')} at or above ${findings.failOn}` }
    : { id: 'findings', status: 'pass', title, outcome: `none (${plural(findings.new.length, 'new finding')} below it)` }
}

function increaseGate(diff: CostDiff, increases: IncreaseCheck[]): GateCheck {
  const change = diff.head.total.expected - diff.base.total.expected
  const shown = `${change >= 0n ? '+' : '-'}${formatMoney(change < 0n ? -change : change, diff.currency)} per month (${percent(diff.base.total.expected, change)})`
  if (!increases.length) return { id: 'cost-increase', status: 'off', title: 'Cost increase', outcome: `${shown}; no --max-increase limit` }
  const title = `Cost increase of at most ${increases.map((check) => describeLimit(check.limit, diff.currency)).join(' and ')}`
  const over = increases.filter((check) => check.exceeded)
  return { id: 'cost-increase', status: over.length ? 'fail' : 'pass', title, outcome: over.length ? `${shown}, over the limit` : shown }
}

function budgetGate(budget: BudgetCheck | undefined): GateCheck {
  if (!budget) return { id: 'budget', status: 'off', title: 'Monthly budget', outcome: 'no budget (budgets.monthly or --budget)' }
  const amount = `${budget.atLeast ? 'at least ' : ''}${formatMoney(budget.amount, budget.currency)}`
  return {
    id: 'budget',
    status: budget.exceeded ? 'fail' : 'pass',
    title: `Monthly budget of ${formatMoney(budget.budget, budget.currency)}`,
    outcome: budget.exceeded ? `${amount} expected, over budget` : `${amount} expected`,
  }
}

function planGate(plan: NonNullable<GateInput['plan']>): GateCheck {
  const title = 'Plan of the reachable targets'
  if (plan.offline) return { id: 'plan', status: 'off', title, outcome: 'skipped (--offline)' }
  const planned = plan.targets.filter((entry) => entry.status === 'planned')
  const failing = plan.targets.filter((entry) => entry.needed && (entry.status === 'unreachable' || entry.status === 'denied'))
  const changes = planned.flatMap((entry) => (entry.status === 'planned' ? entry.actions : [])).filter((action) => action.kind !== 'noop').length
  const skipped = plan.targets.length - planned.length
  const outcome = [`${plural(changes, 'change')} on ${plural(planned.length, 'target')}`, ...(skipped ? [`${skipped} skipped`] : [])].join(', ')
  if (failing.length) return { id: 'plan', status: 'error', title, outcome: `${failing.map((entry) => entry.target).join(', ')} needed by this change but ${failing.every((entry) => entry.status === 'denied') ? 'refused' : 'not reachable'}; ${outcome}` }
  return { id: 'plan', status: 'pass', title, outcome }
}

/**
 * One code from the shared table. A manifest error comes first (nothing else
 * could be judged), then a failed gate (a verdict on the change itself), then
 * a target the change needs that refused (5) or could not be reached (4).
 */
export function gateExitCode(input: Pick<GateInput, 'plan'>, gates: GateCheck[]): number {
  const status = (id: GateId) => gates.find((gate) => gate.id === id)?.status
  if (status('manifest') === 'error') return ExitCode.usage
  if (gates.some((gate) => gate.status === 'fail')) return ExitCode.gate
  const needed = (input.plan?.targets ?? []).filter((entry) => entry.needed)
  if (needed.some((entry) => entry.status === 'denied')) return ExitCode.denied
  if (needed.some((entry) => entry.status === 'unreachable')) return ExitCode.unreachable
  return ExitCode.ok
}

function headline(verdict: GateResult['verdict'], gates: GateCheck[]): string {
  const failed = gates.filter((gate) => gate.status === 'fail' || gate.status === 'error')
  // The findings and manifest outcomes say what they are about; the others need their gate's title.
  const reason = (gate: GateCheck) => (gate.id === 'findings' || gate.id === 'manifest' ? gate.outcome : `${gate.title.charAt(0).toLowerCase()}${gate.title.slice(1)}: ${gate.outcome}`)
  const reasons = failed.map(reason).join('; ')
  if (verdict === 'pass') return 'strato gate passed.'
  if (verdict === 'fail') return `strato gate failed: ${reasons}.`
  return `strato gate could not judge this change: ${reasons}.`
}

/** The --json value: the whole result, amounts as numbers of currency units. */
export function gateJson(result: GateResult) {
  return {
    verdict: result.verdict,
    exitCode: result.exitCode,
    headline: result.headline,
    gates: result.gates,
    base: result.base,
    manifest: result.manifest,
    findings: {
      failOn: result.findings.failOn ?? null,
      failOnExisting: result.findings.failOnExisting,
      new: result.findings.new,
      existing: result.findings.existing,
      resolved: result.findings.resolved,
      suppressed: result.findings.suppressed,
      blocking: result.findings.blocking.map((finding) => finding.fingerprint),
    },
    cost: result.cost && {
      ...diffJson(result.cost.diff),
      budget: result.cost.budget ? budgetJson(result.cost.budget) : null,
      increases: result.cost.increases.map((check) => ({ limit: check.limit.text, increase: centsNumber(check.increase), exceeded: check.exceeded, summary: check.summary })),
      notes: result.cost.notes,
    },
    plan: result.plan ?? null,
  }
}
