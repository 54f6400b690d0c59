// The DuckDB anchor: the same question as `strato cost actual --by day` (BilledCost per UTC
// day and currency, summed as DECIMAL(38,9)) asked of DuckDB directly, CSV or Parquet.
//   node bench/cost/duckdb-anchor.mjs FILE      prints the total of the days, to 2 decimals
// Also writes a Parquet copy: node bench/cost/duckdb-anchor.mjs --to-parquet CSV PARQUET
import { DuckDBInstance } from '@duckdb/node-api'

const args = process.argv.slice(2)
const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
const literal = (text) => `'${text.replaceAll("'", "''")}'`

if (args[0] === '--to-parquet') {
  // Typed as DuckDB reads the CSV: costs as DOUBLE, periods as TIMESTAMP WITH TIME ZONE.
  await connection.run(`COPY (SELECT * FROM read_csv(${literal(args[1])}, header = true, nullstr = 'NULL')) TO ${literal(args[2])} (FORMAT parquet, COMPRESSION zstd)`)
} else {
  const file = args[0]
  const source = file.endsWith('.parquet') ? `read_parquet(${literal(file)})` : `read_csv(${literal(file)}, header = true, nullstr = 'NULL')`
  const days = await connection.runAndReadAll(`SELECT CAST(ChargePeriodStart AT TIME ZONE 'UTC' AS DATE) AS day, BillingCurrency, sum(CAST(BilledCost AS DECIMAL(38,9))) AS billed FROM ${source} GROUP BY ALL`)
  // Each currency's exact total rounded half-even to the cent, then the cents added, as strato's totals are.
  const byCurrency = new Map()
  for (const [, currency, billed] of days.getRows()) byCurrency.set(currency, (byCurrency.get(currency) ?? 0n) + billed.value)
  let cents = 0n
  for (const nanos of byCurrency.values()) {
    const whole = nanos / 10_000_000n
    const rest = nanos % 10_000_000n
    const twice = (rest < 0n ? -rest : rest) * 2n
    const step = twice > 10_000_000n || (twice === 10_000_000n && whole % 2n !== 0n) ? (nanos < 0n ? -1n : 1n) : 0n
    cents += whole + step
  }
  console.log((Number(cents) / 100).toFixed(2))
}
connection.closeSync()
instance.closeSync()
