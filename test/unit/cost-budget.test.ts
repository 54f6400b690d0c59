import { describe, expect, it } from 'vitest'
import { descriptorOf } from '../../providers/descriptors.js'
import { budgetCents, budgetGateError, checkBudget, extrapolateMonth, monthToDate } from '../../src/costs/budget.js'
import { checkEstimateBudget } from '../../src/costs/estimate-report.js'
import { SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { estimateManifest } from '../../src/costs/estimate.js'
import { exitCodeFor, ExitCode } from '../../src/errors.js'
import { loadManifestFile } from '../../src/manifest/load.js'

// hybrid fixture, priced by hand in cost-estimate.test.ts's terms: expected 264.55 USD, max 387.04 USD
const hybrid = estimateManifest(loadManifestFile('test/fixtures/cost/hybrid/strato.yaml').manifest, SHIPPED_CATALOG, descriptorOf)

describe('budget gate', () => {
  it('passes when the expected estimate is within the budget', () => {
    const check = checkEstimateBudget(hybrid, 500, 'expected')
    expect(check).toMatchObject({ exceeded: false, amount: 26455n, budget: 50000n })
    expect(check.summary).toBe('The estimated monthly cost of 264.55 USD is within the monthly budget of 500.00 USD.')
  })

  it('fails with exit code 3 and the numbers when the budget is exceeded', () => {
    const check = checkEstimateBudget(hybrid, 250, 'expected')
    expect(check.exceeded).toBe(true)
    const error = budgetGateError(check, { total: 264.55 })
    expect(exitCodeFor(error)).toBe(ExitCode.gate)
    expect(error.message).toBe('The estimated monthly cost of 264.55 USD exceeds the monthly budget of 250.00 USD by 14.55 USD.')
  })

  it('gates on max replicas when asked', () => {
    expect(checkEstimateBudget(hybrid, 300, 'max').exceeded).toBe(true)
    expect(checkEstimateBudget(hybrid, 300, 'max').summary).toContain('at max replicas of 387.04 USD')
    expect(checkEstimateBudget(hybrid, 300, 'expected').exceeded).toBe(false)
  })

  it('says "at least" when prices are unknown, and still fails when the known part exceeds', () => {
    const check = checkBudget('estimate', 60000n, budgetCents(500), 'USD', true, 'estimated monthly cost')
    expect(check.exceeded).toBe(true)
    expect(check.summary).toBe('The estimated monthly cost of at least 600.00 USD exceeds the monthly budget of 500.00 USD by at least 100.00 USD.')
    expect(exitCodeFor(budgetGateError(check, {}))).toBe(3)
    const partial = checkBudget('estimate', 40000n, budgetCents(500), 'USD', true, 'estimated monthly cost')
    expect(partial.exceeded).toBe(false)
    expect(partial.summary).toContain('for the known prices only')
  })

  it('extrapolates month-to-date spend to the end of the month', () => {
    // 10 days into a 30-day month with 100.00 spent: 300.00 projected
    const result = extrapolateMonth(100_000_000_000n, new Date('2026-11-11T00:00:00Z'))
    expect(result).toEqual({ projected: 300_000_000_000n, elapsedDays: 10, daysInMonth: 30 })
    // never divides by less than one day
    expect(extrapolateMonth(5_000_000_000n, new Date('2026-02-01T01:00:00Z')).projected).toBe(140_000_000_000n)
  })

  it('asks providers for the month so far, today included, across a month end', () => {
    expect(monthToDate(new Date('2026-11-25T21:00:00Z'))).toEqual({ start: '2026-11-01', end: '2026-11-26', granularity: 'daily' })
    expect(monthToDate(new Date('2026-12-31T23:59:00Z'))).toEqual({ start: '2026-12-01', end: '2027-01-01', granularity: 'daily' })
  })
})
