/**
 * Reads FOCUS export files: CSV (optionally gzip-compressed) streamed through
 * the byte scanner, or Parquet through a columnar engine. The format is taken
 * from the file's first bytes; a name that promises gzip or Parquet must keep
 * its promise. Every problem with a file is a usage error that names it.
 */
import { createHash } from 'node:crypto'
import { closeSync, createReadStream, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { usageError, UserError } from '../errors.js'
import { CsvStreamParser, feedCsv } from './csv-stream.js'
import { FocusAggregator, FocusFormatError, type BadRow, type FocusSummary } from './focus.js'
import type { FocusQuery } from './focus-query.js'

export type FocusFileFormat = 'csv' | 'csv.gz' | 'parquet'

export type FocusFileSummary = FocusSummary & { file: string; format: FocusFileFormat }

const GZIP_MAGIC = [0x1f, 0x8b]
const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]

/** The format from the first bytes, checked against what the name says. */
export function focusFileFormat(file: string, head: Uint8Array): FocusFileFormat {
  const starts = (magic: number[]) => magic.every((byte, index) => head[index] === byte)
  if (starts(GZIP_MAGIC)) return 'csv.gz'
  if (starts(PARQUET_MAGIC)) return 'parquet'
  if (/\.gz$/i.test(file)) throw usageError(`${file} is named .gz but is not gzip-compressed.`, 'Pass the export as it was written, or rename it if it is plain CSV.')
  if (/\.parquet$/i.test(file)) throw usageError(`${file} is named .parquet but is not a Parquet file.`, 'Check that the export finished writing, or export CSV instead.')
  return 'csv'
}

function statOf(file: string): Stats {
  try {
    return statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw usageError(`No FOCUS export at ${file}.`, 'Check the path given to --focus.')
    throw usageError(`${file} cannot be read (${code}).`, 'Check the path given to --focus and its permissions.')
  }
}

/**
 * Every file exists and is a file, and no file is given twice: not by two
 * paths to the same file, nor as two copies with the same content, which would
 * double its spend without a word.
 */
export async function checkFocusFiles(files: string[]): Promise<void> {
  const seen: { file: string; stats: Stats; real: string }[] = []
  for (const file of files) {
    const stats = statOf(file)
    if (stats.isDirectory()) throw usageError(`${file} is a directory, not a FOCUS export file.`, `Pass the export files inside it, e.g. --focus ${file.replace(/\/$/, '')}/part-1.csv.gz (a shell glob passes them all).`)
    if (!stats.isFile()) throw usageError(`${file} is not a regular file.`, 'Pass a FOCUS export file (CSV, CSV.gz or Parquet).')
    const real = realpathSync(file)
    for (const earlier of seen) {
      const same = earlier.real === real || (earlier.stats.dev === stats.dev && earlier.stats.ino === stats.ino)
      if (same || (earlier.stats.size === stats.size && (await sameContent(earlier.file, file)))) {
        throw usageError(
          same ? `${file} is given twice (also as ${earlier.file}).` : `${file} has the same content as ${earlier.file}.`,
          'Pass each export once: the same charges counted twice would double the spend.',
        )
      }
    }
    seen.push({ file, stats, real })
  }
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const digest = async (file: string) => {
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
    return hash.digest('hex')
  }
  return (await digest(a)) === (await digest(b))
}

function readHead(file: string): Uint8Array {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(4)
    const read = readSync(fd, head, 0, 4, 0)
    return head.subarray(0, read)
  } finally {
    closeSync(fd)
  }
}

export async function readFocusFile(file: string, query: FocusQuery): Promise<FocusFileSummary> {
  const stats = statOf(file)
  if (stats.isDirectory()) throw usageError(`${file} is a directory, not a FOCUS export file.`, 'Pass the export files inside it.')
  const aggregator = new FocusAggregator(query)
  let format: FocusFileFormat = 'csv'
  try {
    format = focusFileFormat(file, readHead(file))
    if (format === 'parquet') {
      const { readParquet } = await import('./focus-parquet.js')
      await readParquet(file, aggregator)
    } else await readCsv(file, format === 'csv.gz', aggregator)
  } catch (error) {
    if (error instanceof FocusFormatError) {
      throw usageError(`${file} is not a FOCUS export: ${error.message}.`, 'A FOCUS export has the columns BilledCost, ChargePeriodStart and BillingCurrency, and each --metric asked for; export "FOCUS" from your cloud\'s cost management.')
    }
    // The file went away or became unreadable between the checks and the read.
    const code = (error as NodeJS.ErrnoException).code
    if (!(error instanceof UserError) && typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw usageError(`${file} cannot be read (${code}).`, 'Check the path given to --focus and its permissions.')
    throw error
  }
  if (!aggregator.hasHeader) throw usageError(`${file} is empty.`, 'Export the FOCUS data again; the file has no header line.')
  const summary = { file, format, ...aggregator.summary() }
  if (summary.bad.count > 0 && !query.skipBadRows) throw badRowsError(summary)
  return summary
}

/** Where a bad row is: "line 12, column 1 (BilledCost)" (Parquet has rows, not lines). */
export function badRowPlace(bad: BadRow, format: FocusFileFormat): string {
  const where = `${format === 'parquet' ? 'row' : 'line'} ${bad.line}`
  return bad.column ? `${where}, column ${bad.position} (${bad.column})` : where
}

function badRowsError(summary: FocusFileSummary): UserError {
  const { bad, file, format } = summary
  const first = bad.rows[0]
  const many = bad.count === 1 ? 'A row' : `${bad.count} rows`
  return usageError(
    bad.count === 1 ? `A row of ${file} cannot be read: ${badRowPlace(first, format)}: ${first.reason}.` : `${many} of ${file} cannot be read; the first is ${badRowPlace(first, format)}: ${first.reason}.`,
    'Correct the export (or export it again), or pass --skip-bad-rows to leave these rows out; strato then says how much they held.',
    bad.rows.slice(1, 20).map((row) => `${badRowPlace(row, format)}: ${row.reason}`).concat(bad.count > 20 ? [`... and ${bad.count - 20} more`] : []),
    { file, badRows: bad.count, rows: bad.rows },
  )
}

async function readCsv(file: string, gzip: boolean, aggregator: FocusAggregator): Promise<void> {
  const parser = new CsvStreamParser({
    record: (fields, line) => {
      if (aggregator.hasHeader) aggregator.csvRow(fields, line)
      else aggregator.header(fields.texts())
    },
    malformed: (line, reason) => {
      if (aggregator.hasHeader) aggregator.unreadableRecord(line, reason)
      else throw usageError(`${file}: the header line cannot be read: ${reason}.`, 'Export the FOCUS data again.')
    },
  })
  if (gzip) {
    try {
      await feedCsv(parser, createReadStream(file, { highWaterMark: CHUNK }).pipe(createGunzip()))
    } catch (error) {
      if (error instanceof UserError || error instanceof FocusFormatError || !(error as NodeJS.ErrnoException).code?.startsWith('Z_')) throw error
      throw usageError(`${file} is not a complete gzip file (${(error as Error).message}).`, 'The download or export was cut short: fetch the file again.')
    }
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
