/**
 * Load traces for the simulator, in three shapes:
 * - plain CSV lines "seconds,rps" (a header line and # comments are allowed);
 * - k6's CSV output (`k6 run --out csv=FILE`): one `http_reqs` row per
 *   request, with a unix timestamp (seconds by default; ms, µs, ns or RFC 3339
 *   under K6_CSV_TIME_FORMAT);
 * - Locust's stats history (`locust --csv PREFIX`, PREFIX_stats_history.csv):
 *   the "Aggregated" rows carry a running "Total Request Count".
 * The load-tool formats are counted into per-minute buckets, so a trace is
 * always a list of steps of constant load.
 */
import { CsvStreamParser, type FieldView } from '../costs/csv-stream.js'
import { usageError } from '../errors.js'

export type TraceFormat = 'seconds-rps' | 'k6-csv' | 'locust-history'

export interface TracePoint {
  /** seconds from the start */
  at: number
  /** requests per second offered from `at` until the next point */
  rps: number
}

export interface Trace {
  format: TraceFormat
  points: TracePoint[]
  /** seconds from the start where the trace ends */
  end: number
}

/** Load-tool exports are counted per minute: what their users read and what the issue trackers ask for. */
export const BUCKET_SECONDS = 60

const FIX = 'Pass "seconds,rps" lines, a k6 CSV output (k6 run --out csv=FILE) or a Locust stats history (locust --csv PREFIX writes PREFIX_stats_history.csv).'

export function parseTrace(data: Uint8Array | string, origin: string): Trace {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  const head = new TextDecoder().decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '')
  const firstLine = head.split(/\r?\n/).find((line) => line.trim() && !line.trim().startsWith('#')) ?? ''
  if (/^"?metric_name"?,/.test(firstLine)) return bucketed('k6-csv', k6Events(bytes, origin), origin)
  if (/^"?Timestamp"?,/.test(firstLine) && firstLine.includes('Total Request Count')) return bucketed('locust-history', locustEvents(bytes, origin), origin)
  return secondsRps(new TextDecoder().decode(bytes), origin)
}

function secondsRps(text: string, origin: string): Trace {
  const points: TracePoint[] = []
  let sawData = false
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    // One header line before the data, e.g. "seconds,rps".
    if (!sawData && /^[a-z]/i.test(line)) {
      sawData = true
      continue
    }
    sawData = true
    const fields = line.split(/[,;\s]+/)
    const [at, rps] = fields.map(Number)
    if (fields.length < 2 || !Number.isFinite(at) || !Number.isFinite(rps) || rps < 0 || at < 0) {
      throw usageError(`${origin} line ${index + 1}: expected "seconds,rps" with numbers (rps 0 or more), got "${line}".`, FIX)
    }
    points.push({ at, rps })
  }
  if (points.length === 0) throw usageError(`${origin} holds no load: no "seconds,rps" line.`, FIX)
  points.sort((a, b) => a.at - b.at)
  const spacing = points.length > 1 ? points[points.length - 1].at - points[points.length - 2].at : BUCKET_SECONDS
  const first = points[0].at
  return { format: 'seconds-rps', points: points.map((point) => ({ at: point.at - first, rps: point.rps })), end: points[points.length - 1].at - first + spacing }
}

/** Requests counted at a time (seconds since the epoch). */
interface Events {
  times: number[]
  counts: number[]
}

/** Calls `onRow` with the wanted columns of every row after the header, by name. */
function eachRow(bytes: Uint8Array, origin: string, format: string, wanted: string[], onRow: (values: string[], line: number) => void): void {
  let index: number[] | undefined
  const parser = new CsvStreamParser({
    record: (fields: FieldView, line) => {
      if (index) {
        onRow(index.map((column) => (column < fields.count ? fields.text(column) : '')), line)
        return
      }
      const header = fields.texts().map((name) => name.trim())
      index = wanted.map((name) => {
        const column = header.indexOf(name)
        if (column < 0) throw usageError(`${origin} looks like ${format} but has no "${name}" column.`, FIX)
        return column
      })
    },
    malformed: (line, reason) => { throw usageError(`${origin} line ${line}: ${reason}.`, FIX) },
  })
  parser.push(bytes)
  parser.end()
}

/** A k6 timestamp in seconds: unix seconds, ms, µs or ns (told apart by size), or RFC 3339. */
export function k6Seconds(text: string): number {
  const value = Number(text)
  if (text.trim() !== '' && Number.isFinite(value)) {
    if (value > 1e17) return value / 1e9
    if (value > 1e14) return value / 1e6
    if (value > 1e11) return value / 1e3
    return value
  }
  return Date.parse(text) / 1000
}

function k6Events(bytes: Uint8Array, origin: string): Events {
  const events: Events = { times: [], counts: [] }
  eachRow(bytes, origin, 'a k6 CSV output', ['metric_name', 'timestamp', 'metric_value'], ([metric, timestamp, value], line) => {
    if (metric !== 'http_reqs') return
    const at = k6Seconds(timestamp)
    const count = Number(value)
    if (!Number.isFinite(at) || !Number.isFinite(count)) throw usageError(`${origin} line ${line}: an http_reqs row needs a timestamp and a number, got "${timestamp},${value}".`, FIX)
    events.times.push(at)
    events.counts.push(count)
  })
  if (events.times.length === 0) throw usageError(`${origin} has no http_reqs rows: the k6 run made no HTTP request.`, FIX)
  return events
}

function locustEvents(bytes: Uint8Array, origin: string): Events {
  const events: Events = { times: [], counts: [] }
  let previous = 0
  eachRow(bytes, origin, 'a Locust stats history', ['Timestamp', 'Name', 'Total Request Count'], ([timestamp, name, running], line) => {
    // The "Aggregated" row sums every request type; with --csv-full-history the per-request rows come too.
    if (name !== 'Aggregated') return
    const at = Number(timestamp)
    const total = Number(running)
    if (!Number.isFinite(at) || !Number.isFinite(total)) throw usageError(`${origin} line ${line}: an Aggregated row needs a Timestamp and a Total Request Count.`, FIX)
    // A running count that drops means the stats were reset: count from zero again.
    events.times.push(at)
    events.counts.push(total >= previous ? total - previous : total)
    previous = total
  })
  if (events.times.length === 0) throw usageError(`${origin} has no "Aggregated" rows.`, FIX)
  return events
}

/** Counts per minute from the first event; the last minute is divided by the seconds it covers. */
function bucketed(format: TraceFormat, events: Events, origin: string): Trace {
  // A loop, not Math.min(...times): a k6 export has millions of rows.
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const at of events.times) {
    if (at < first) first = at
    if (at > last) last = at
  }
  const start = Math.floor(first)
  const buckets = Math.floor((last - start) / BUCKET_SECONDS) + 1
  if (buckets > 1_000_000) throw usageError(`${origin} spans ${Math.round((last - start) / 86400)} days: its timestamps are not in one format.`, FIX)
  const counts = new Float64Array(buckets)
  for (let i = 0; i < events.times.length; i++) counts[Math.floor((events.times[i] - start) / BUCKET_SECONDS)] += events.counts[i]
  const lastSeconds = Math.min(BUCKET_SECONDS, Math.floor(last - start - (buckets - 1) * BUCKET_SECONDS) + 1)
  const points = Array.from(counts, (count, bucket) => ({
    at: bucket * BUCKET_SECONDS,
    rps: Math.round((count / (bucket === buckets - 1 ? lastSeconds : BUCKET_SECONDS)) * 1000) / 1000,
  }))
  return { format, points, end: (buckets - 1) * BUCKET_SECONDS + lastSeconds }
}
