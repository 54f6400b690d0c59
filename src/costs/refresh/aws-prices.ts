/**
 * AWS on-demand prices from the AWS Price List bulk API (offer files,
 * /offers/v1.0/aws/<offer>/current/<region>/index.csv). The files are large
 * (hundreds of MB for EC2), so they are streamed through the CSV scanner and
 * only the rows strato prices are kept: Linux, shared tenancy, no
 * pre-installed software, on-demand instance hours; gp3 storage; Application
 * Load Balancer hours and capacity unit (LCU) hours.
 */
import { CsvStreamParser, type FieldView } from '../csv-stream.js'
import { fetchOk, type Fetch, type RegionRefresh } from './fetch-json.js'

export const AWS_PRICE_LIST = 'https://pricing.us-east-1.amazonaws.com'
const SOURCE = 'AWS Price List API'

/** Rows of an offer CSV as objects keyed by the header, after the metadata lines. */
async function eachOfferRow(body: AsyncIterable<Uint8Array>, wanted: string[], onRow: (row: Record<string, string>) => void): Promise<void> {
  let columns: number[] | undefined
  const parser = new CsvStreamParser({
    record: (fields: FieldView) => {
      if (!columns) {
        // Five metadata lines ("FormatVersion", "Publication Date", ...) precede the header.
        if (fields.text(0) !== 'SKU') return
        const names = fields.texts()
        columns = wanted.map((name) => names.indexOf(name))
        return
      }
      const row: Record<string, string> = {}
      wanted.forEach((name, index) => { row[name] = columns![index] >= 0 && columns![index] < fields.count ? fields.text(columns![index]) : '' })
      onRow(row)
    },
    malformed: () => {},
  })
  for await (const chunk of body) parser.push(chunk)
  parser.end()
}

const EC2_COLUMNS = ['TermType', 'Unit', 'PricePerUnit', 'Currency', 'Product Family', 'Instance Type', 'Operating System', 'Tenancy', 'Pre Installed S/W', 'CapacityStatus', 'License Model', 'Volume API Name', 'MarketOption']

export async function fetchAwsRegion(fetcher: Fetch, base: string, region: string, rootDiskGiB: number, signal?: AbortSignal): Promise<RegionRefresh> {
  const result: RegionRefresh = { instances: {} }
  const ec2 = await fetchOk(fetcher, `${base}/offers/v1.0/aws/AmazonEC2/current/${region}/index.csv`, SOURCE, signal)
  await eachOfferRow(ec2.body as unknown as AsyncIterable<Uint8Array>, EC2_COLUMNS, (row) => {
    if (row.TermType !== 'OnDemand' || row.Currency !== 'USD') return
    const price = Number(row.PricePerUnit)
    if (!Number.isFinite(price)) return
    if (row['Product Family'] === 'Compute Instance' && row.Unit === 'Hrs' && row['Operating System'] === 'Linux' && row.Tenancy === 'Shared' &&
        row['Pre Installed S/W'] === 'NA' && row.CapacityStatus === 'Used' && row['License Model'] === 'No License required' &&
        (row.MarketOption === '' || row.MarketOption === 'OnDemand') && price > 0) {
      result.instances[row['Instance Type']] = price
    } else if (row['Product Family'] === 'Storage' && row['Volume API Name'] === 'gp3' && row.Unit === 'GB-Mo') {
      result.diskMonthly = round(price * rootDiskGiB)
    }
  })
  const elb = await fetchOk(fetcher, `${base}/offers/v1.0/aws/AWSELB/current/${region}/index.csv`, SOURCE, signal)
  await eachOfferRow(elb.body as unknown as AsyncIterable<Uint8Array>, ['TermType', 'Unit', 'PricePerUnit', 'Product Family', 'usageType'], (row) => {
    // the Application Load Balancer fronts public services, the Network Load Balancer (internal) private ones
    const internal = row['Product Family'] === 'Load Balancer-Network'
    if (row.TermType !== 'OnDemand' || (!internal && row['Product Family'] !== 'Load Balancer-Application')) return
    if (row.Unit === 'Hrs' && /LoadBalancerUsage$/.test(row.usageType)) result[internal ? 'internalLoadBalancerHourly' : 'loadBalancerHourly'] = Number(row.PricePerUnit)
    else if (row.Unit === 'LCU-Hrs' && /LCUUsage$/.test(row.usageType)) result[internal ? 'internalCapacityUnitHourly' : 'capacityUnitHourly'] = Number(row.PricePerUnit)
  })
  return result
}

/** Prices to ten decimals: the products of a float multiplication lose their noise. */
export function round(value: number): number {
  return Number(value.toFixed(10))
}
