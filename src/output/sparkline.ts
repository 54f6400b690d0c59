/** One-line charts for terminals: values as the eight block heights ▁..█. */

const BARS = '▁▂▃▄▅▆▇█'

/**
 * A sparkline at most `width` characters wide. Longer series are cut into
 * equal runs and each run shows its largest value, so a short spike stays
 * visible. `max` sets the top of the scale, to compare several lines.
 */
export function sparkline(values: number[], width = 48, max?: number): string {
  if (values.length === 0) return ''
  const columns = Math.min(width, values.length)
  const peaks: number[] = []
  for (let column = 0; column < columns; column++) {
    const from = Math.floor((column * values.length) / columns)
    const to = Math.max(from + 1, Math.floor(((column + 1) * values.length) / columns))
    let peak = Number.NEGATIVE_INFINITY
    for (let i = from; i < to; i++) peak = Math.max(peak, values[i])
    peaks.push(peak)
  }
  const top = max ?? Math.max(...peaks)
  return peaks.map((value) => (top <= 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.max(0, Math.round((value / top) * (BARS.length - 1))))])).join('')
}
