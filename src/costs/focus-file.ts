/**
 * Reads a FOCUS export file: CSV (optionally gzip-compressed) streamed in
 * chunks, or Parquet read one row group at a time, into a FocusAggregator.
 */
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { usageError } from '../errors.js'
import { CsvStreamParser, feedCsv } from './csv-stream.js'
import { COST_COLUMNS, FocusAggregator, FocusFormatError, type CostColumn, type FocusSummary } from './focus.js'

export type FocusFileFormat = 'csv' | 'parquet'

export function focusFileFormat(file: string): FocusFileFormat {
  return /\.parquet$/i.test(file) ? 'parquet' : 'csv'
}

export async function readFocusFile(file: string, costColumn: CostColumn = 'BilledCost'): Promise<FocusSummary & { file: string; format: FocusFileFormat }> {
  if (!existsSync(file)) throw usageError(`No FOCUS export at ${file}.`, 'Check the path given to --focus.')
  const format = focusFileFormat(file)
  const aggregator = new FocusAggregator(costColumn)
  try {
    if (format === 'parquet') await readParquet(file, aggregator)
    else await readCsv(file, aggregator)
  } catch (error) {
    if (error instanceof FocusFormatError) {
      throw usageError(`${file} is not a FOCUS export: ${error.message}.`, `A FOCUS export has the columns ${costColumn}, ChargePeriodStart and BillingCurrency; export "FOCUS" from your cloud's cost management, or pick another cost column with --cost-column.`)
    }
    throw error
  }
  if (!aggregator.hasHeader) throw usageError(`${file} is empty.`, 'Export the FOCUS data again; the file has no header line.')
  return { file, format, ...aggregator.summary() }
}

async function readCsv(file: string, aggregator: FocusAggregator): Promise<void> {
  const parser = new CsvStreamParser({
    record: (fields, line) => {
      if (aggregator.hasHeader) aggregator.row(fields, line)
      else aggregator.header(fields.texts())
    },
    malformed: (line, reason) => aggregator.reject(line, reason),
  })
  if (/\.gz$/i.test(file)) {
    await feedCsv(parser, createReadStream(file, { highWaterMark: CHUNK }).pipe(createGunzip()))
    return
  }
  // Plain files are read synchronously into one buffer that is reused: no
  // allocation per chunk and no wait on the event loop between chunks. The
  // unfinished record at the end of each read moves to the front.
  const fd = openSync(file, 'r')
  try {
    let buffer = Buffer.allocUnsafe(2 * CHUNK)
    let filled = 0
    for (;;) {
      if (filled === buffer.length) {
        // One record longer than the buffer: make room for it.
        const larger = Buffer.allocUnsafe(buffer.length * 2)
        buffer.copy(larger, 0, 0, filled)
        buffer = larger
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, null)
      if (read === 0) break
      filled += read
      const used = parser.consume(buffer.subarray(0, filled), false)
      buffer.copyWithin(0, used, filled)
      filled -= used
    }
    parser.consume(buffer.subarray(0, filled), true)
  } finally {
    closeSync(fd)
  }
}

const CHUNK = 1 << 20

async function readParquet(file: string, aggregator: FocusAggregator): Promise<void> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet')
  // Snappy is built in; exports also come gzip-, zstd- or brotli-compressed.
  const { compressors } = await import('hyparquet-compressors')
  const buffer = await asyncBufferFromFile(file)
  let metadata
  try {
    metadata = await parquetMetadataAsync(buffer)
  } catch (error) {
    throw usageError(`${file} is not a readable Parquet file (${(error as Error).message}).`, 'Check that the export finished writing, or export CSV instead.')
  }
  const names = parquetSchema(metadata).children.map((child) => child.element.name)
  aggregator.header(names)
  const wanted = names.filter((name) => PARQUET_COLUMNS.has(name))
  const positions = wanted.map((name) => names.indexOf(name))
  let rowStart = 0
  // One row group at a time keeps memory to the size of a group, not the file.
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows)
    await parquetRead({
      file: buffer, metadata, columns: wanted, rowStart, rowEnd, compressors,
      onComplete: (rows: unknown[][]) => {
        rows.forEach((row, offset) => {
          const fields: string[] = new Array(names.length).fill('')
          positions.forEach((position, column) => { fields[position] = parquetText(row[column]) })
          // Parquet has no lines: report the row number (1-based, after a notional header line).
          aggregator.rowTexts(fields, rowStart + offset + 2)
        })
      },
    })
    rowStart = rowEnd
  }
}

/** Columns the aggregator reads: only these are decoded from a Parquet file. */
const PARQUET_COLUMNS = new Set([...COST_COLUMNS, 'ChargePeriodStart', 'BillingCurrency', 'ProviderName', 'ServiceProviderName', 'Tags'])

/** A Parquet value as the text a CSV export would hold. */
function parquetText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? inner.toString() : inner))
  return String(value)
}
