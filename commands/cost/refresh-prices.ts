import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Flags } from '@oclif/core'
import { StratoCommand } from '../../cli/base.js'
import type { CloudKind } from '../../src/costs/catalog.js'
import { loadCatalog, userCatalogPath } from '../../src/costs/catalog-file.js'
import { CLOUD_KINDS, DEFAULT_ENDPOINTS, refreshPrices } from '../../src/costs/refresh/refresh.js'
import { usageError } from '../../src/errors.js'
import { renderTable } from '../../src/output/table.js'

export default class CostRefreshPrices extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage', 'unreachable', 'denied'] as const
  static override summary = 'Update the price catalog from the providers\' public price sources.'
  static override description = `Fetches on-demand prices from the AWS Price List API (bulk offer files), the Azure Retail Prices API and the Google Cloud Billing Catalog API (which needs an API key in STRATO_GCP_API_KEY), for the regions and sizes of the current catalog, and writes a new dated catalog to ~/.config/strato/prices.json (or --out). strato cost uses that file from then on; delete it to return to the snapshot shipped with strato.`
  static override examples = [
    '<%= config.bin %> cost refresh-prices',
    '<%= config.bin %> cost refresh-prices --provider aws --region eu-west-1',
    '<%= config.bin %> cost refresh-prices --out prices.json --json',
  ]

  static override flags = {
    provider: Flags.string({ summary: 'Only refresh this provider (repeatable).', options: CLOUD_KINDS, multiple: true }),
    region: Flags.string({ summary: 'Only refresh this region or location (repeatable).', multiple: true, helpValue: 'REGION' }),
    out: Flags.string({ summary: 'Where to write the catalog (default: ~/.config/strato/prices.json).', helpValue: 'FILE' }),
    prices: Flags.string({ summary: 'The catalog to start from (default: the current one).', helpValue: 'FILE' }),
    endpoint: Flags.string({ summary: 'A price source base URL, as KIND=URL, for mirrors and tests (repeatable).', multiple: true, helpValue: 'KIND=URL' }),
  }

  async run() {
    const { flags } = await this.parse(CostRefreshPrices)
    const endpoints = { ...DEFAULT_ENDPOINTS }
    for (const entry of flags.endpoint ?? []) {
      const [kind, url] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]
      if (!CLOUD_KINDS.includes(kind as CloudKind) || !/^https?:\/\//.test(url)) throw usageError(`--endpoint ${entry} is not KIND=URL.`, 'Use e.g. --endpoint aws=http://127.0.0.1:8080 with KIND one of aws, azure, gcp.')
      endpoints[kind as CloudKind] = url
    }
    const out = path.resolve(flags.out ?? userCatalogPath(process.env))
    const result = await refreshPrices({
      base: loadCatalog(flags.prices, process.env),
      providers: (flags.provider as CloudKind[] | undefined) ?? CLOUD_KINDS,
      regions: flags.region,
      endpoints,
      fetch: (url, init) => fetch(url, init),
      gcpApiKey: process.env.STRATO_GCP_API_KEY || undefined,
      today: new Date().toISOString().slice(0, 10),
      progress: this.progress(),
    })
    mkdirSync(path.dirname(out), { recursive: true })
    writeFileSync(out, `${JSON.stringify(result.catalog, null, 2)}\n`)
    const rows = result.regions.map((region) => [region.provider, region.region, String(region.instances), region.loadBalancer ? 'yes' : 'kept', region.disk ? 'yes' : 'kept', region.kept.length ? region.kept.join(' ') : ''])
    this.out(renderTable(['PROVIDER', 'REGION', 'SIZES PRICED', 'LOAD BALANCER', 'DISK', 'KEPT FROM BEFORE'], rows, { alignRight: [2], header: this.style.bold }))
    for (const skip of result.skipped) this.out(`${skip.provider}: not refreshed, ${skip.reason}.`)
    this.out(`\nWrote ${out} (${result.catalog.date}).`)
    return { file: out, date: result.catalog.date, source: result.catalog.source, regions: result.regions, skipped: result.skipped }
  }
}
