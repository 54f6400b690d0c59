// A FOCUS 1.0 export in the shape of the FinOps Foundation's published sample, at any size:
// all 43 columns, AWS, Microsoft and Oracle rows, USD and EUR, unquoted NULL for empty
// cells, NULL Tags on about 3 rows in 10, credits, hourly charge periods, descriptions
// with commas (quoted), and a few hundred distinct tag sets. Seeded: the same file every run.
import { createWriteStream } from 'node:fs'
import { seededRandom } from '../seeded-random.mjs'

export const COLUMNS = [
  'AvailabilityZone', 'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart', 'CommitmentDiscountCategory',
  'CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountStatus', 'CommitmentDiscountType', 'ConsumedQuantity', 'ConsumedUnit',
  'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingQuantity',
  'PricingUnit', 'ProviderName', 'PublisherName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory',
  'ServiceName', 'SkuId', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'Tags',
]

const PROVIDERS = [
  { name: 'AWS', account: '111122223333', region: ['eu-west-1', 'Europe (Ireland)'], zone: 'eu-west-1a', services: [['Amazon Elastic Compute Cloud', 'Compute', 'Hours', 'i-'], ['Amazon Simple Storage Service', 'Storage', 'GB-Mo', 'bucket-'], ['Elastic Load Balancing', 'Networking', 'Hours', 'arn:aws:elasticloadbalancing:lb/']] },
  { name: 'Microsoft', account: '/providers/Microsoft.Billing/billingAccounts/1234', region: ['westeurope', 'West Europe'], zone: 'NULL', services: [['Virtual Machines', 'Compute', '1 Hour', '/subscriptions/abc/vm-'], ['Storage', 'Storage', '1 GB/Month', '/subscriptions/abc/disk-'], ['Azure Monitor', 'Management and Governance', '1 GB', '/subscriptions/abc/log-']] },
  { name: 'Oracle', account: 'ocid1.tenancy.oc1..aaaa', region: ['eu-frankfurt-1', 'Germany Central (Frankfurt)'], zone: 'NULL', services: [['Compute', 'Compute', 'OCPU Hours', 'ocid1.instance.oc1..'], ['Block Storage', 'Storage', 'GB Months', 'ocid1.volume.oc1..']] },
]
const SERVICES = ['users', 'orders', 'payments', 'search', 'catalog', 'cart', 'auth', 'mailer']
const TEAMS = ['core', 'web', 'data', 'platform', 'growth']

function tagSets(random) {
  const sets = []
  for (let i = 0; i < 400; i++) {
    const tags = { 'user:strato.project': i % 7 === 0 ? 'blog' : 'shop', 'user:strato.service': SERVICES[i % SERVICES.length], 'user:team': TEAMS[Math.floor(random() * TEAMS.length)], 'user:Name': `node-${i}` }
    sets.push(`"${JSON.stringify(tags).replaceAll('"', '""')}"`)
  }
  return sets
}

const money = (value) => value.toFixed(10)

/** Writes `lines` rows (plus the header) to `file`; resolves when the file is complete. */
export async function generateFocusExport(file, lines) {
  const random = seededRandom(42)
  const tags = tagSets(random)
  const out = createWriteStream(file, { highWaterMark: 1 << 20 })
  const write = (text) => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)))
  await write(`${COLUMNS.join(',')}\n`)
  let batch = []
  for (let i = 0; i < lines; i++) {
    const provider = PROVIDERS[Math.floor(random() * PROVIDERS.length)]
    const [serviceName, category, unit, resourcePrefix] = provider.services[Math.floor(random() * provider.services.length)]
    const day = 1 + (i % 30)
    const hour = Math.floor(random() * 24)
    const dd = String(day).padStart(2, '0')
    const hh = String(hour).padStart(2, '0')
    const start = `2026-11-${dd}T${hh}:00:00Z`
    const end = hour === 23 ? (day === 30 ? '2026-12-01T00:00:00Z' : `2026-11-${String(day + 1).padStart(2, '0')}T00:00:00Z`) : `2026-11-${dd}T${String(hour + 1).padStart(2, '0')}:00:00Z`
    const credit = random() < 0.02
    const quantity = random() * 10
    const price = 0.01 + random() * 0.2
    const list = quantity * price
    const billed = credit ? -list : list * (0.8 + random() * 0.2)
    const chargeCategory = credit ? 'Credit' : 'Usage'
    const currency = provider.name === 'Microsoft' && random() < 0.3 ? 'EUR' : 'USD'
    const tag = random() < 0.29 ? 'NULL' : tags[Math.floor(random() * tags.length)]
    const contracted = random() < 0.3 ? 'NULL' : money(list * 0.95)
    const resource = `${resourcePrefix}${Math.floor(random() * 5000).toString(16)}`
    batch.push([
      provider.zone, money(billed), provider.account, 'Acme', currency, '2026-12-01T00:00:00Z', '2026-11-01T00:00:00Z',
      chargeCategory, 'NULL', `"${serviceName}, ${unit}, ${credit ? 'promotional credit' : 'on demand'}"`, credit ? 'One-Time' : 'Usage-Based', end, start, 'NULL',
      'NULL', 'NULL', 'NULL', 'NULL', quantity.toFixed(6), unit,
      contracted, contracted === 'NULL' ? 'NULL' : (price * 0.95).toFixed(6), money(billed), provider.name, money(credit ? 0 : list), price.toFixed(6), 'Standard', quantity.toFixed(6),
      unit, provider.name, provider.name, provider.region[0], provider.region[1], resource, resource.slice(-8), serviceName, category,
      serviceName, `SKU${i % 97}`, `PRICE${i % 389}`, `sub-${i % 13}`, `Subscription ${i % 13}`, tag,
    ].join(','))
    if (batch.length === 10_000) {
      await write(`${batch.join('\n')}\n`)
      batch = []
    }
  }
  if (batch.length) await write(`${batch.join('\n')}\n`)
  await new Promise((resolve) => out.end(resolve))
}
