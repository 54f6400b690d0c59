import { describe, expect, it } from 'vitest'
import { planCapacity } from '../../src/capacity.js'
import { UserError } from '../../src/errors.js'

const base = { peak: 5000, perReplica: 800, targetUtilization: 0.7, headroom: 0, nPlusOne: false }

describe('planCapacity', () => {
  it('divides peak by the load one replica carries at the target utilisation', () => {
    const result = planCapacity(base)
    expect(result.exact).toBeCloseTo(8.93, 2)
    expect(result.replicas).toBe(9)
    expect(result.formula[1]).toBe('         = ceil(5000 / (800 × 0.7))')
  })

  it('adds headroom before rounding and one more replica for N+1', () => {
    const result = planCapacity({ ...base, headroom: 0.2, nPlusOne: true })
    expect(result.base).toBe(11)
    expect(result.replicas).toBe(12)
    expect(result.formula).toContain('N+1      = 11 + 1 = 12')
  })

  it('does not round an exact fit up because of floating point', () => {
    // 560 / (800 × 0.7) is exactly 1, though 800 × 0.7 is 560.0000000000001 in binary
    expect(planCapacity({ ...base, peak: 1120 }).replicas).toBe(2)
  })

  it.each([
    [{ peak: 0 }, '--rps must be a positive number, got 0.'],
    [{ perReplica: -1 }, '--per-replica must be a positive number, got -1.'],
    [{ targetUtilization: 1.5 }, '--target-util must be above 0 and at most 1, got 1.5.'],
    [{ headroom: -0.1 }, '--headroom must be 0 or more, got -0.1.'],
  ])('rejects %o as a usage error', (override, message) => {
    const run = () => planCapacity({ ...base, ...override })
    expect(run).toThrow(UserError)
    expect(run).toThrow(message)
  })
})
