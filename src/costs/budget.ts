/**
 * The budget gate: CI fails (exit code 3) when the estimate, or the
 * month-to-date actual extrapolated to month end, exceeds the monthly budget.
 */
import { UserError } from '../errors.js'
import type { Period } from '../model.js'
import { monthSpend } from './actual.js'
import type { MonthSpend } from './focus.js'
import { centsText, formatMoney, toNanos, nanosToCents } from './money.js'

export interface BudgetCheck {
  basis: 'estimate' | 'actual'
  currency: string
  budget: bigint
  /** the amount compared with the budget, in cents */
  amount: bigint
  /** the amount is a lower bound (unknown prices) */
  atLeast: boolean
  exceeded: boolean
  /** one sentence with the numbers */
  summary: string
}

export function budgetCents(monthly: number): bigint {
  return nanosToCents(toNanos(monthly))
}

export function checkBudget(basis: BudgetCheck['basis'], amount: bigint, budget: bigint, currency: string, atLeast: boolean, what: string): BudgetCheck {
  const exceeded = amount > budget
  const shown = `${atLeast ? 'at least ' : ''}${formatMoney(amount, currency)}`
  const verdict = exceeded
    ? `exceeds the monthly budget of ${formatMoney(budget, currency)} by ${atLeast ? 'at least ' : ''}${formatMoney(amount - budget, currency)}`
    : atLeast
      ? `is within the monthly budget of ${formatMoney(budget, currency)} for the known prices only`
      : `is within the monthly budget of ${formatMoney(budget, currency)}`
  return { basis, currency, budget, amount, atLeast, exceeded, summary: `The ${what} of ${shown} ${verdict}.` }
}

/**
 * Month-to-date spend extrapolated to the whole month: the daily average so far
 * times the days in the month. `now` is passed in, so the core reads no clock.
 */
export function extrapolateMonth(monthToDate: bigint, now: Date): { projected: bigint; elapsedDays: number; daysInMonth: number } {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
  const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate()
  // At least one day, so a run just after midnight on the 1st does not divide by ~0.
  const elapsedDays = Math.max(1, (now.getTime() - start) / 86_400_000)
  const micro = BigInt(Math.round(elapsedDays * 1e6))
  const projected = (monthToDate * BigInt(daysInMonth) * 1_000_000n) / micro
  return { projected, elapsedDays, daysInMonth }
}

export function budgetGateError(check: BudgetCheck, data: Record<string, unknown>): UserError {
  return new UserError(check.summary, {
    code: 'gate',
    fix: `Lower replicas or instance sizes, or raise budgets.monthly (now ${centsText(check.budget)} ${check.currency}) in strato.yaml or --budget.`,
    data: { result: data },
  })
}

export function budgetJson(check: BudgetCheck) {
  return {
    basis: check.basis,
    currency: check.currency,
    budget: Number(centsText(check.budget)),
    amount: Number(centsText(check.amount)),
    atLeast: check.atLeast,
    exceeded: check.exceeded,
    summary: check.summary,
  }
}

/**
 * Compares a project's spend in the latest month of the data (in the report's
 * first metric, named in the summary) with the budget: extrapolated to month
 * end when that month is the current one (by `now`).
 */
export function checkActualBudget(months: MonthSpend[], project: string | undefined, monthly: number, currency: string, now: Date, metric = 'BilledCost'): BudgetCheck {
  const spent = monthSpend(months, project, currency)
  const budget = budgetCents(monthly)
  const current = now.toISOString().slice(0, 7)
  if (!spent) return checkBudget('actual', 0n, budget, currency, false, `actual spend (${metric}) in ${currency}${project ? ` of project ${project}` : ''}`)
  if (spent.month !== current) {
    return checkBudget('actual', nanosToCents(spent.nanos), budget, currency, false, `actual spend (${metric}) in ${spent.month}`)
  }
  const { projected, elapsedDays, daysInMonth } = extrapolateMonth(spent.nanos, now)
  const label = `month-to-date actual (${metric}) of ${formatMoney(nanosToCents(spent.nanos), currency)} over ${elapsedDays.toFixed(1)} of ${daysInMonth} days, extrapolated to month end,`
  return checkBudget('actual', nanosToCents(projected), budget, currency, false, label)
}

/** The daily period from the first of `now`'s month (UTC) up to and including today, for month-to-date spend. */
export function monthToDate(now: Date): Period {
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
  return { start: `${now.toISOString().slice(0, 8)}01`, end: tomorrow.toISOString().slice(0, 10), granularity: 'daily' }
}
