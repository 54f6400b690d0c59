/**
 * Money as integers. Amounts are kept in nanos (1e-9 of the currency unit) so
 * that sums are exact, and rounded half-even to cents only when shown; line
 * items are then adjusted by largest remainder so they add up to the total.
 */

export const NANOS_PER_UNIT = 1_000_000_000n
export const NANOS_PER_CENT = 10_000_000n

/** A decimal string or number ("0.0208", "-1.5e-3", 12) in nanos, rounded half-even at the ninth decimal. */
export function toNanos(value: string | number): bigint {
  const text = typeof value === 'number' ? numberText(value) : value.trim()
  const match = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new RangeError(`not a decimal number: "${value}"`)
  const negative = match[1] === '-'
  let digits = (match[2] || '0') + (match[3] ?? '')
  let point = (match[2] || '0').length + Number(match[4] ?? 0)
  // Shift so that exactly nine digits follow the decimal point, remembering what falls off.
  if (point < 0) {
    digits = '0'.repeat(-point) + digits
    point = 0
  }
  const wanted = point + 9
  if (digits.length < wanted) digits = digits.padEnd(wanted, '0')
  const kept = BigInt(digits.slice(0, wanted))
  const rest = digits.slice(wanted)
  const rounded = roundRest(kept, rest)
  return negative ? -rounded : rounded
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`)
  return String(value)
}

/** Half-even rounding of kept + 0.rest (rest: the decimal digits that were cut off). */
function roundRest(kept: bigint, rest: string): bigint {
  if (rest === '' || /^0*$/.test(rest)) return kept
  const first = rest.charCodeAt(0) - 48
  if (first > 5) return kept + 1n
  if (first < 5) return kept
  if (!/^50*$/.test(rest)) return kept + 1n
  return kept % 2n === 0n ? kept : kept + 1n
}

/** a / b rounded half-even, for bigints of any sign (b > 0). */
export function divideHalfEven(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('divisor must be positive')
  const negative = a < 0n
  const n = negative ? -a : a
  let q = n / b
  const r = n % b
  const twice = r * 2n
  if (twice > b || (twice === b && q % 2n === 1n)) q += 1n
  return negative ? -q : q
}

export function nanosToCents(nanos: bigint): bigint {
  return divideHalfEven(nanos, NANOS_PER_CENT)
}

/**
 * Rounds each amount to cents so that the cents add up to the rounded total.
 * Each line starts at its floor; the cents still missing go to the lines with
 * the largest remainders (ties: the earlier line), so the result is
 * deterministic and every line is within one cent of its exact value.
 */
export function allocateCents(amounts: bigint[]): bigint[] {
  const total = nanosToCents(amounts.reduce((sum, amount) => sum + amount, 0n))
  const floors = amounts.map((amount) => floorDiv(amount, NANOS_PER_CENT))
  let missing = total - floors.reduce((sum, cents) => sum + cents, 0n)
  const order = amounts
    .map((amount, index) => ({ index, remainder: amount - floors[index] * NANOS_PER_CENT }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1))
  const cents = [...floors]
  // missing is between 0 and the number of lines: floors never overshoot the rounded total by a cent.
  for (let i = 0; missing > 0n && i < order.length; i++, missing--) cents[order[i].index] += 1n
  for (let i = order.length - 1; missing < 0n && i >= 0; i--, missing++) cents[order[i].index] -= 1n
  return cents
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && a < 0n ? q - 1n : q
}

/** Cents as a plain decimal string: 1234n -> "12.34", -5n -> "-0.05". */
export function centsText(cents: bigint): string {
  const negative = cents < 0n
  const abs = negative ? -cents : cents
  const units = abs / 100n
  const rest = String(abs % 100n).padStart(2, '0')
  return `${negative ? '-' : ''}${units}.${rest}`
}

/** Cents as a JSON number of currency units (exact for any amount below 2^53 cents). */
export function centsNumber(cents: bigint): number {
  return Number(centsText(cents))
}

/** Cents for display: thousands separators and the currency code, e.g. "1,234.50 USD". */
export function formatMoney(cents: bigint, currency: string): string {
  const [units, rest] = centsText(cents).split('.')
  const sign = units.startsWith('-') ? '-' : ''
  const grouped = units.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${grouped}.${rest} ${currency}`
}

/** Nanos as the shortest exact decimal string: 15625000000n -> "15.625". */
export function nanosText(nanos: bigint): string {
  const negative = nanos < 0n
  const abs = negative ? -nanos : nanos
  const fraction = String(abs % NANOS_PER_UNIT).padStart(9, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${abs / NANOS_PER_UNIT}${fraction ? `.${fraction}` : ''}`
}
