/**
 * Reads a FOCUS export in Parquet with DuckDB, a columnar engine made for
 * this: it decodes only the columns asked for and sums the costs exactly
 * (DECIMAL(38,9), in nanos) per distinct combination of the cells that matter
 * (charge day, currency, tags, groupings, filters). Those few combinations
 * then go through the same checks and grouping as CSV rows, so the two
 * formats agree. Loaded only when a Parquet file is read: the engine is large.
 */
import { usageError } from '../errors.js'
import { BAD_ROWS_KEPT, type FocusAggregator } from './focus.js'
import { costFromText, isNullText } from './focus-values.js'

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`
const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`

/** A column as text, the way a CSV export writes it; dates as the UTC day. */
function cellSql(name: string, type: string, isDate: boolean): string {
  const column = quoteName(name)
  if (isDate && /^TIMESTAMP WITH TIME ZONE$/i.test(type)) return `CAST(CAST(${column} AT TIME ZONE 'UTC' AS DATE) AS VARCHAR)`
  if (isDate && /^(TIMESTAMP|DATE)/i.test(type)) return `CAST(CAST(${column} AS DATE) AS VARCHAR)`
  if (/^(MAP|STRUCT)/i.test(type) || /\[\]$/.test(type)) return `CAST(to_json(${column}) AS VARCHAR)`
  return `CAST(${column} AS VARCHAR)`
}

/**
 * A cost column as DECIMAL(38,9), NULL when it has no value or cannot be read.
 * Doubles are cast straight from their binary value (their shortest text would
 * be the CSV's, but printing every double costs ten times the whole read): a
 * nano at most per row, far below the cent figures are shown in.
 */
function costSql(name: string, type: string): { decimal: string; empty: string; raw: string } {
  const column = quoteName(name)
  const raw = `CAST(${column} AS VARCHAR)`
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|U?(TINY|SMALL|BIG|HUGE)?INT|INTEGER)/i.test(type)) return { decimal: `TRY_CAST(${column} AS DECIMAL(38,9))`, empty: `${column} IS NULL`, raw }
  return { decimal: `TRY_CAST(trim(${raw}) AS DECIMAL(38,9))`, empty: `(${column} IS NULL OR trim(${raw}) IN ('', 'NULL'))`, raw }
}

export async function readParquet(file: string, aggregator: FocusAggregator): Promise<void> {
  const { DuckDBInstance, DuckDBDecimalValue } = await import('@duckdb/node-api')
  const instance = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false' })
  const connection = await instance.connect()
  // Timestamps with a zone print in UTC when grouped on; ChargePeriodStart is converted explicitly.
  await connection.run("SET TimeZone = 'UTC'")
  const source = `read_parquet(${quoteText(file)}, file_row_number = true)`
  const fail = (error: unknown) => usageError(`${file} is not a readable Parquet file (${String((error as Error).message).split('\n')[0]}).`, 'Check that the export finished writing, or export CSV instead.')
  try {
    let described
    try {
      described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRows()
    } catch (error) {
      throw fail(error)
    }
    const names = described.map((row) => String(row[0])).filter((name) => name !== 'file_row_number')
    const types = new Map(described.map((row) => [String(row[0]), String(row[1])]))
    aggregator.header(names)
    const { cells, costs, currency, billed } = aggregator.wanted()
    const dateColumn = names.findIndex((name) => name.toLowerCase() === 'chargeperiodstart')
    const cellColumns = cells.map((column, index) => `${cellSql(names[column], types.get(names[column])!, column === dateColumn)} AS c${index}`)
    const costColumns = costs.map((column) => (column < 0 ? undefined : costSql(names[column], types.get(names[column])!)))
    // o: the cell as stored, read back only for the bad rows' messages (the aggregate prunes it).
    const decimals = costColumns.map((cost, metric) => (cost ? `${cost.decimal} AS d${metric}, ${cost.empty} AS e${metric}, ${cost.raw} AS o${metric}` : `NULL::DECIMAL(38,9) AS d${metric}, true AS e${metric}, NULL AS o${metric}`))
    const values = costColumns.map((_, metric) => `CASE WHEN abs(d${metric}) < 1e15 THEN d${metric} END AS v${metric}`)
    // bad: 0 for a readable row, else 1 + the first metric whose cell has a value that cannot be read.
    // BilledCost is what the invoice adds up: FOCUS never leaves it empty, so a row without it is bad too.
    const bad = costColumns.map((_, metric) => `WHEN ${metric === billed ? '' : `NOT e${metric} AND `}v${metric} IS NULL THEN ${metric + 1}`)
    const keys = [...cells.map((_, index) => `c${index}`), 'bad']
    const rows = `(SELECT *, CASE ${bad.join(' ')} ELSE 0 END AS bad FROM (SELECT *, ${values.join(', ')} FROM (SELECT file_row_number, ${[...cellColumns, ...decimals].join(', ')} FROM ${source})))`
    const sql = `SELECT ${keys.join(', ')}, ${costColumns.map((_, metric) => `sum(v${metric}), count(*) FILTER (WHERE e${metric})`).join(', ')}, count(*), min(file_row_number) + 1
      FROM ${rows} GROUP BY ${keys.join(', ')}`
    let result
    try {
      result = await connection.stream(sql)
    } catch (error) {
      throw fail(error)
    }
    const row: (string | null)[] = new Array(names.length).fill(null)
    const metrics = costs.length
    for (;;) {
      let chunk
      try {
        chunk = await result.fetchChunk()
      } catch (error) {
        throw fail(error)
      }
      if (!chunk || chunk.rowCount === 0) break
      for (const values of chunk.getRows()) {
        cells.forEach((column, index) => { row[column] = values[index] === null ? null : String(values[index]) })
        const at = cells.length
        const badMetric = Number(values[at]) - 1
        const sums: (bigint | null)[] = []
        const nulls: number[] = []
        for (let metric = 0; metric < metrics; metric++) {
          const sum = values[at + 1 + metric * 2]
          sums.push(sum instanceof DuckDBDecimalValue ? sum.value : null)
          nulls.push(Number(values[at + 2 + metric * 2]))
        }
        const rows = Number(values[at + 1 + metrics * 2])
        const line = Number(values[at + 2 + metrics * 2])
        if (badMetric < 0) aggregator.summedRows(row, sums, nulls, rows, line)
        else aggregator.badSummedRows(rows, badMetric, row[currency], sums)
      }
    }
    if (aggregator.badRowCount > 0) {
      // Rare: read the bad rows themselves, for their row numbers and what their cells hold.
      const examples = await connection.runAndReadAll(`SELECT file_row_number + 1, bad, ${costColumns.map((_, metric) => `o${metric}`).join(', ')} FROM ${rows} WHERE bad > 0 ORDER BY 1 LIMIT ${BAD_ROWS_KEPT}`)
      for (const [line, bad, ...raws] of examples.getRows()) {
        const raw = raws[Number(bad) - 1]
        const reading = raw === null || isNullText(String(raw)) ? { problem: 'is empty' } : costFromText(String(raw))
        aggregator.badCostExample(Number(line), Number(bad) - 1, 'problem' in reading ? reading.problem : 'cannot be read')
      }
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}
