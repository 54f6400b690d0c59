/**
 * A FOCUS 1.0 export with the traits of the FinOps Foundation's published
 * sample: AWS, Microsoft, Oracle and Google rows, two currencies, unquoted
 * NULL for empty cells, NULL Tags, credits and a purchase, empty optional cost
 * cells, timestamps with offsets, CRLF line ends after a byte-order mark.
 *
 * Amounts are given as exact micro-units (BigInt): the expected figures are
 * summed from them by the tests, never by strato's code. `text` overrides how
 * a BilledCost is written (an exponent form, as BigQuery writes it).
 */
import { writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { parquetWriteBuffer } from 'hyparquet-writer'

export interface SampleRow {
  provider: string
  currency: string
  category: 'Usage' | 'Credit' | 'Purchase' | 'Tax'
  service: string
  region: string | null
  subAccount: string
  /** ChargePeriodStart as the export writes it */
  start: string
  /** its UTC day, worked out by hand */
  day: string
  /** the Tags cell as written; null writes NULL */
  tags: string | null
  billed: bigint
  effective: bigint
  list: bigint
  /** null: empty cell (NULL, or '' when emptyText says so) */
  contracted: bigint | null
  emptyText?: ''
  text?: string
  /** what the tags say, worked out by hand */
  project?: string
  strato?: string
  team?: string
}

const aws = (tags: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(tags).map(([key, value]) => [`user:${key}`, value])))

export const SAMPLE: SampleRow[] = [
  { provider: 'AWS', currency: 'USD', category: 'Usage', service: 'Amazon Elastic Compute Cloud', region: 'eu-west-1', subAccount: '111122223333', start: '2026-11-01T00:00:00.000Z', day: '2026-11-01', tags: aws({ 'strato.project': 'shop', 'strato.service': 'users', team: 'core' }), billed: 547_200n, effective: 547_200n, list: 600_000n, contracted: 580_000n, project: 'shop', strato: 'users', team: 'core' },
  { provider: 'AWS', currency: 'USD', category: 'Usage', service: 'Elastic Load Balancing', region: 'eu-west-1', subAccount: '111122223333', start: '2026-11-01T13:00:00Z', day: '2026-11-01', tags: aws({ 'strato.project': 'shop', 'strato.service': 'users', team: 'core' }), billed: 604_800n, effective: 604_800n, list: 604_800n, contracted: null, project: 'shop', strato: 'users', team: 'core' },
  { provider: 'AWS', currency: 'USD', category: 'Credit', service: 'Amazon Elastic Compute Cloud', region: 'eu-west-1', subAccount: '111122223333', start: '2026-11-03T00:00:00Z', day: '2026-11-03', tags: null, billed: -2_610_000n, effective: -2_610_000n, list: 0n, contracted: null },
  { provider: 'AWS', currency: 'USD', category: 'Usage', service: 'Amazon Virtual Private Cloud', region: null, subAccount: '444455556666', start: '2026-11-02T00:00:00Z', day: '2026-11-02', tags: '{}', billed: 1_250_000n, effective: 1_250_000n, list: 1_250_000n, contracted: null, emptyText: '' },
  { provider: 'AWS', currency: 'USD', category: 'Purchase', service: 'Savings Plans for AWS Compute usage', region: null, subAccount: '111122223333', start: '2026-11-01T00:00:00Z', day: '2026-11-01', tags: null, billed: 12_000_000n, effective: 0n, list: 12_000_000n, contracted: 12_000_000n },
  { provider: 'AWS', currency: 'USD', category: 'Usage', service: 'Amazon Elastic Compute Cloud', region: 'eu-west-1', subAccount: '111122223333', start: '2026-11-02T05:00:00Z', day: '2026-11-02', tags: aws({ 'strato.project': 'shop', 'strato.service': 'orders' }), billed: 0n, effective: 400_000n, list: 550_000n, contracted: null, project: 'shop', strato: 'orders' },
  { provider: 'Microsoft', currency: 'USD', category: 'Usage', service: 'Virtual Machines', region: 'westeurope', subAccount: 'sub-prod', start: '2026-11-01T23:30:00-02:00', day: '2026-11-02', tags: '{"strato.project":"shop","strato.service":"orders","team":"core"}', billed: 998_400n, effective: 998_400n, list: 1_100_000n, contracted: 998_400n, project: 'shop', strato: 'orders', team: 'core' },
  { provider: 'Microsoft', currency: 'EUR', category: 'Usage', service: 'Virtual Machines', region: 'westeurope', subAccount: 'sub-eu', start: '2026-11-02T00:00Z', day: '2026-11-02', tags: '{"strato.project":"shop","strato.service":"payments"}', billed: 2_100_000n, effective: 2_100_000n, list: 2_300_000n, contracted: null, project: 'shop', strato: 'payments' },
  { provider: 'Microsoft', currency: 'EUR', category: 'Tax', service: 'Virtual Machines', region: null, subAccount: 'sub-eu', start: '2026-11-02T00:00Z', day: '2026-11-02', tags: null, billed: 399_000n, effective: 399_000n, list: 0n, contracted: null },
  { provider: 'Microsoft', currency: 'USD', category: 'Usage', service: 'Storage', region: 'westeurope', subAccount: 'sub-prod', start: '2026-11-02T00:30:00+01:00', day: '2026-11-01', tags: null, billed: 88_000n, effective: 88_000n, list: 88_000n, contracted: 88_000n },
  { provider: 'Oracle', currency: 'USD', category: 'Usage', service: 'Compute', region: 'eu-frankfurt-1', subAccount: 'ocid1.compartment.oc1..aaaa', start: '2026-11-02 00:00:00 UTC', day: '2026-11-02', tags: '{"Oracle-Tags.CreatedBy":"ops","strato-project":"blog","team":"web"}', billed: 3_333_333n, effective: 3_333_333n, list: 3_333_333n, contracted: null, project: 'blog', team: 'web' },
  { provider: 'Oracle', currency: 'USD', category: 'Credit', service: 'Compute', region: 'eu-frankfurt-1', subAccount: 'ocid1.compartment.oc1..aaaa', start: '2026-11-03 00:00:00 UTC', day: '2026-11-03', tags: '{"strato-project":"blog"}', billed: -1_000_000n, effective: -1_000_000n, list: 0n, contracted: null, project: 'blog' },
  { provider: 'Google Cloud', currency: 'USD', category: 'Usage', service: 'Cloud Logging', region: 'global', subAccount: 'acme-prod', start: '2026-11-01T00:00:00Z', day: '2026-11-01', tags: '[{"key":"strato-project","value":"shop"},{"key":"strato-service","value":"payments"}]', billed: 12n, effective: 12n, list: 12n, contracted: null, text: '1.2e-05', project: 'shop', strato: 'payments' },
  { provider: 'Google Cloud', currency: 'USD', category: 'Usage', service: 'Compute Engine', region: 'europe-west1', subAccount: 'acme-prod', start: '2026-11-02T00:00:00Z', day: '2026-11-02', tags: '[{"key":"strato_project","value":"shop"},{"key":"strato_service","value":"payments"}]', billed: 402_024n, effective: 402_024n, list: 442_224n, contracted: 402_024n, project: 'shop', strato: 'payments' },
]

export const HEADER = ['BilledCost', 'BillingAccountId', 'BillingCurrency', 'ChargeCategory', 'ChargeDescription', 'ChargePeriodEnd', 'ChargePeriodStart', 'ContractedCost', 'EffectiveCost', 'ListCost', 'ProviderName', 'RegionId', 'ServiceName', 'SubAccountId', 'Tags']

/** Micro-units as the decimal text an export writes ("-2.610000"). */
export function microText(micro: bigint): string {
  const negative = micro < 0n
  const abs = negative ? -micro : micro
  return `${negative ? '-' : ''}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, '0')}`
}

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)

export function sampleCells(row: SampleRow): string[] {
  return [
    row.text ?? microText(row.billed), 'acct-1', row.currency, row.category, `${row.service}, ${row.category.toLowerCase()}`, 'NULL', row.start,
    row.contracted === null ? (row.emptyText ?? 'NULL') : microText(row.contracted), microText(row.effective), microText(row.list), row.provider,
    row.region ?? 'NULL', row.service, row.subAccount, row.tags ?? 'NULL',
  ]
}

/** The sample as an export writes it: a byte-order mark, CRLF line ends, unquoted NULLs. */
export function sampleCsv(rows: SampleRow[] = SAMPLE, header: string[] = HEADER): string {
  return `\uFEFF${[header, ...rows.map(sampleCells)].map((cells) => cells.map((cell) => (cell === 'NULL' ? cell : quote(cell))).join(',')).join('\r\n')}\r\n`
}

export function writeSampleCsv(file: string, rows: SampleRow[] = SAMPLE): string {
  writeFileSync(file, file.endsWith('.gz') ? gzipSync(sampleCsv(rows)) : sampleCsv(rows))
  return file
}

/** The same rows as typed Parquet: costs as doubles, ChargePeriodStart as a UTC timestamp, NULLs as nulls. */
export function writeSampleParquet(file: string, rows: SampleRow[] = SAMPLE): string {
  const number = (micro: bigint | null) => (micro === null ? null : Number(micro) / 1e6)
  const instant = (row: SampleRow) => new Date(Date.parse(row.start.replace(' UTC', 'Z').replace(' ', 'T')))
  const buffer = parquetWriteBuffer({
    rowGroupSize: 5,
    columnData: [
      { name: 'BilledCost', data: rows.map((row) => number(row.billed)), type: 'DOUBLE' },
      { name: 'BillingCurrency', data: rows.map((row) => row.currency), type: 'STRING' },
      { name: 'ChargeCategory', data: rows.map((row) => row.category), type: 'STRING' },
      { name: 'ChargePeriodStart', data: rows.map(instant), type: 'TIMESTAMP' },
      { name: 'ContractedCost', data: rows.map((row) => number(row.contracted)), type: 'DOUBLE' },
      { name: 'EffectiveCost', data: rows.map((row) => number(row.effective)), type: 'DOUBLE' },
      { name: 'ListCost', data: rows.map((row) => number(row.list)), type: 'DOUBLE' },
      { name: 'ProviderName', data: rows.map((row) => row.provider), type: 'STRING' },
      { name: 'RegionId', data: rows.map((row) => row.region), type: 'STRING' },
      { name: 'ServiceName', data: rows.map((row) => row.service), type: 'STRING' },
      { name: 'SubAccountId', data: rows.map((row) => row.subAccount), type: 'STRING' },
      { name: 'Tags', data: rows.map((row) => row.tags), type: 'STRING' },
    ],
  })
  writeFileSync(file, Buffer.from(buffer))
  return file
}

/** Independent golden figures: micro-units summed per key, then rounded once half-even to cents. */
export function expectedCents(rows: SampleRow[], key: (row: SampleRow) => string, amount: (row: SampleRow) => bigint | null): Record<string, number> {
  const sums = new Map<string, bigint>()
  for (const row of rows) {
    const value = amount(row)
    if (value !== null) sums.set(key(row), (sums.get(key(row)) ?? 0n) + value)
  }
  return Object.fromEntries([...sums].map(([name, micro]) => [name, Number(halfEvenCents(micro)) / 100]))
}

/** Micro-units rounded half-even to cents, as a few lines of test code rather than strato's. */
export function halfEvenCents(micro: bigint): bigint {
  const negative = micro < 0n
  const abs = negative ? -micro : micro
  let cents = abs / 10_000n
  const rest = abs % 10_000n
  if (rest > 5_000n || (rest === 5_000n && cents % 2n === 1n)) cents++
  return negative ? -cents : cents
}
