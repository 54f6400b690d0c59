/**
 * Cell values of a FOCUS export, read strictly: costs as exact nanos
 * (1e-9 of the currency unit) and charge periods as their UTC day. Both have
 * a byte path for CSV (no decoding on the common forms) and a text path.
 *
 * Costs round at the ninth decimal half away from zero, as SQL engines cast
 * decimals, so a CSV and the same data as Parquet sum to the same nano.
 */

/** Digits before the point a row's cost may have (below 1e15 units): larger is a broken cell, not a charge. */
const LIMIT_DIGITS = 15

/** Whether a cell is empty or the unquoted NULL that exports write for "no value". */
export function isNullBytes(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start
  return length === 0 || (length === 4 && bytes[start] === 78 && bytes[start + 1] === 85 && bytes[start + 2] === 76 && bytes[start + 3] === 76)
}

export function isNullText(text: string): boolean {
  return text === '' || text === 'NULL'
}

/**
 * A plain decimal ("-12.3456") below a million units as nanos in a Number
 * (exact: below 2^53); NaN for anything else, which the caller then reads
 * with costFromText (exponents, signs, large amounts, bad cells).
 */
export function costFromBytes(bytes: Uint8Array, start: number, end: number): number {
  let at = start
  let negative = false
  if (bytes[at] === 45) { negative = true; at++ }
  let units = 0
  let digits = 0
  for (; at < end; at++) {
    const digit = bytes[at] - 48
    if (digit < 0 || digit > 9) break
    units = units * 10 + digit
    digits++
  }
  let fraction = 0
  let scale = 0
  let roundUp = false
  if (at < end && bytes[at] === 46) {
    for (at++; at < end && scale < 9; at++, scale++) {
      const digit = bytes[at] - 48
      if (digit < 0 || digit > 9) return Number.NaN
      fraction = fraction * 10 + digit
      digits++
    }
    if (at < end) {
      // Past the ninth decimal: round half away from zero on the tenth digit.
      const next = bytes[at] - 48
      if (next < 0 || next > 9) return Number.NaN
      for (let tail = at + 1; tail < end; tail++) {
        const digit = bytes[tail] - 48
        if (digit < 0 || digit > 9) return Number.NaN
      }
      roundUp = next >= 5
      at = end
    }
  }
  if (at < end || digits === 0 || units >= 1_000_000) return Number.NaN
  for (; scale < 9; scale++) fraction *= 10
  const nanos = units * 1_000_000_000 + fraction + (roundUp ? 1 : 0)
  return negative ? -nanos : nanos
}

export type CostReading = { nanos: bigint } | { problem: string }

const NUMBER = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** Any decimal or exponent form as exact nanos, or why it cannot be a cost. */
export function costFromText(raw: string): CostReading {
  const text = raw.trim()
  const match = NUMBER.exec(text)
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return { problem: `"${shorten(raw)}" is not a number` }
  const negative = match[1] === '-'
  const whole = match[2].replace(/^0+/, '')
  let digits = whole + (match[3] ?? '')
  // Where the decimal point sits in `digits`, after the exponent moves it.
  const exponent = match[4] === undefined ? 0 : Number(match[4])
  let point = whole.length + exponent
  const significant = digits.replace(/^0+/, '')
  if (significant === '') return { nanos: 0n }
  if (point - (digits.length - significant.length) > LIMIT_DIGITS) {
    return { problem: `"${shorten(raw)}" is out of range (a row's cost must be below 1e15 in magnitude)` }
  }
  // Far below a nano rounds to zero; keep the work bounded for exponents such as e-400.
  if (point < -12) return { nanos: 0n }
  if (point < 0) {
    digits = '0'.repeat(-point) + digits
    point = 0
  }
  const wanted = point + 9
  const kept = BigInt(digits.slice(0, wanted).padEnd(wanted, '0') || '0')
  const next = digits.charCodeAt(wanted) - 48
  const nanos = next >= 5 ? kept + 1n : kept
  return { nanos: negative ? -nanos : nanos }
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/**
 * The UTC day of a FOCUS date-time, as YYYYMMDD, or -1 when it is not one.
 * Accepted: YYYY-MM-DD, optionally followed by T or a space, HH:MM, :SS and a
 * fraction, then nothing or Z (UTC), " UTC", or an offset ±HH, ±HHMM, ±HH:MM.
 * Every part is checked against the calendar and the clock.
 */
export function chargeDayFromBytes(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start
  if (length < 10 || bytes[start + 4] !== 45 || bytes[start + 7] !== 45) return -1
  const year = digitsAt(bytes, start, 4)
  const month = digitsAt(bytes, start + 5, 2)
  const day = digitsAt(bytes, start + 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1 || (day > 28 && day > daysInMonth(year, month))) return -1
  if (length === 10) return year * 10000 + month * 100 + day
  let at = start + 10
  const separator = bytes[at]
  if (separator !== 84 && separator !== 116 && separator !== 32) return -1
  at++
  const hour = digitsAt(bytes, at, 2)
  if (hour < 0 || hour > 23 || bytes[at + 2] !== 58) return -1
  const minute = digitsAt(bytes, at + 3, 2)
  if (minute < 0 || minute > 59) return -1
  at += 5
  if (at < end && bytes[at] === 58) {
    const second = digitsAt(bytes, at + 1, 2)
    if (second < 0 || second > 59) return -1
    at += 3
    if (at < end && bytes[at] === 46) {
      at++
      const first = at
      while (at < end && bytes[at] >= 48 && bytes[at] <= 57) at++
      if (at === first) return -1
    }
  }
  let offset = 0
  if (at === end) offset = 0
  else if ((bytes[at] === 90 || bytes[at] === 122) && at + 1 === end) offset = 0
  else if (end - at === 4 && bytes[at] === 32 && bytes[at + 1] === 85 && bytes[at + 2] === 84 && bytes[at + 3] === 67) offset = 0
  else if (bytes[at] === 43 || bytes[at] === 45) {
    const sign = bytes[at] === 45 ? -1 : 1
    const hours = digitsAt(bytes, at + 1, 2)
    let minutes = 0
    let next = at + 3
    if (next < end && bytes[next] === 58) next++
    if (next < end) {
      minutes = digitsAt(bytes, next, 2)
      next += 2
    }
    if (hours < 0 || hours > 14 || minutes < 0 || minutes > 59 || next !== end) return -1
    offset = sign * (hours * 60 + minutes)
  } else return -1
  const local = hour * 60 + minute
  if (offset === 0 || (local - offset >= 0 && local - offset < 1440)) return year * 10000 + month * 100 + day
  // The offset moves the charge into the previous or next UTC day.
  const utc = new Date(Date.UTC(year, month - 1, day, 0, local - offset))
  return utc.getUTCFullYear() * 10000 + (utc.getUTCMonth() + 1) * 100 + utc.getUTCDate()
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysInMonth(year: number, month: number): number {
  return month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : MONTH_DAYS[month]
}

const encoder = new TextEncoder()

export function chargeDayFromText(text: string): number {
  const bytes = encoder.encode(text)
  return chargeDayFromBytes(bytes, 0, bytes.length)
}

function digitsAt(bytes: Uint8Array, at: number, count: number): number {
  let value = 0
  for (let i = 0; i < count; i++) {
    const digit = bytes[at + i] - 48
    if (!(digit >= 0 && digit <= 9)) return -1
    value = value * 10 + digit
  }
  return value
}
