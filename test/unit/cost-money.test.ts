import { describe, expect, it } from 'vitest'
import { allocateCents, centsText, divideHalfEven, formatMoney, nanosText, nanosToCents, toNanos } from '../../src/costs/money.js'

describe('money', () => {
  it('parses decimals exactly into nanos, rounding half-even at the ninth decimal', () => {
    expect(toNanos('0.0208')).toBe(20_800_000n)
    expect(toNanos('12')).toBe(12_000_000_000n)
    expect(toNanos('-1.5')).toBe(-1_500_000_000n)
    expect(toNanos('1.5e-3')).toBe(1_500_000n)
    expect(toNanos('0.0000000005')).toBe(0n)
    expect(toNanos('0.0000000015')).toBe(2n)
    expect(toNanos('0.00000000051')).toBe(1n)
    expect(toNanos(0.1)).toBe(100_000_000n)
    expect(() => toNanos('1,5')).toThrow(RangeError)
    expect(() => toNanos('')).toThrow(RangeError)
  })

  it('rounds half to even', () => {
    expect(divideHalfEven(25n, 10n)).toBe(2n)
    expect(divideHalfEven(35n, 10n)).toBe(4n)
    expect(divideHalfEven(-25n, 10n)).toBe(-2n)
    expect(nanosToCents(toNanos('0.125'))).toBe(12n)
    expect(nanosToCents(toNanos('0.135'))).toBe(14n)
  })

  it('allocates cents so lines add up to the rounded total', () => {
    const thirds = [toNanos('0.333333333'), toNanos('0.333333333'), toNanos('0.333333334')]
    expect(allocateCents(thirds)).toEqual([33n, 33n, 34n])
    const amounts = ['1.005', '2.005', '3.005'].map(toNanos)
    const cents = allocateCents(amounts)
    expect(cents.reduce((a, b) => a + b, 0n)).toBe(nanosToCents(amounts.reduce((a, b) => a + b, 0n)))
    expect(allocateCents([toNanos('-1.004'), toNanos('0.006')])).toEqual([-100n, 0n])
  })

  it('formats cents and nanos', () => {
    expect(centsText(123456n)).toBe('1234.56')
    expect(centsText(-5n)).toBe('-0.05')
    expect(formatMoney(123456789n, 'EUR')).toBe('1,234,567.89 EUR')
    expect(nanosText(15_625_000_000n)).toBe('15.625')
    expect(nanosText(-3_000_000_000n)).toBe('-3')
  })
})
