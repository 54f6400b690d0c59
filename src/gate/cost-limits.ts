/**
 * The cost gates of a change: the rise of the expected monthly cost against
 * --max-increase (an amount in the manifest's currency, or a percent of the
 * base), and the head's estimate against the monthly budget. Pure.
 */
import { usageError } from '../errors.js'
import { percent, type CostDiff } from '../costs/diff.js'
import type { Estimate } from '../costs/estimate.js'
import { formatMoney, nanosToCents, toNanos } from '../costs/money.js'

export type IncreaseLimit =
  | { kind: 'amount'; cents: bigint; text: string }
  /** basis points: 1250 is 12.5% */
  | { kind: 'percent'; basisPoints: bigint; text: string }

export interface IncreaseCheck {
  limit: IncreaseLimit
  /** the rise of the expected total, in cents (negative: a saving) */
  increase: bigint
  exceeded: boolean
  summary: string
}

/** "50" or "49.99" (an amount) or "10%" (of the base's expected total). */
export function parseIncreaseLimit(raw: string): IncreaseLimit {
  const text = raw.trim()
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text)
  if (!match) {
    throw usageError(`--max-increase must be an amount or a percent, got "${raw}".`, 'Pass for example --max-increase 50 (currency per month) or --max-increase 10%.')
  }
  // A percent in hundredths is a number of basis points, as an amount in cents is of hundredths.
  if (match[2]) return { kind: 'percent', basisPoints: nanosToCents(toNanos(match[1])), text }
  return { kind: 'amount', cents: nanosToCents(toNanos(match[1])), text }
}

export function describeLimit(limit: IncreaseLimit, currency: string): string {
  return limit.kind === 'amount' ? `+${formatMoney(limit.cents, currency)}` : `+${limit.text}`
}

export function checkIncrease(diff: CostDiff, limit: IncreaseLimit): IncreaseCheck {
  const base = diff.base.total.expected
  const increase = diff.head.total.expected - base
  // A rise from nothing is an infinite percentage: over any percent limit.
  const exceeded = limit.kind === 'amount'
    ? increase > limit.cents
    : increase > 0n && (base === 0n || increase * 10_000n > limit.basisPoints * base)
  const change = `${increase >= 0n ? '+' : '-'}${formatMoney(increase < 0n ? -increase : increase, diff.currency)} (${percent(base, increase)})`
  const summary = `The expected monthly cost changes by ${change}, ${exceeded ? 'over' : 'within'} the limit of ${describeLimit(limit, diff.currency)}.`
  return { limit, increase, exceeded, summary }
}

/** The estimate of a project that did not exist at the base: nothing, priced with the head's catalog. */
export function emptyEstimate(like: Estimate): Estimate {
  const zero = { min: 0n, expected: 0n, max: 0n }
  return { ...like, lines: [], totals: zero, complete: true, completeIn: { min: true, expected: true, max: true }, warnings: [] }
}
