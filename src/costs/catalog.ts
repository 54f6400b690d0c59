/**
 * The price catalog: a dated snapshot of on-demand hourly prices shipped with
 * strato, or a newer one written by `strato cost refresh-prices`. Every report
 * names the catalog's source and date.
 */
import { z } from 'zod'
import { usageError } from '../errors.js'
import type { ProviderKind } from '../manifest/schema.js'
import shipped from './catalog/prices.json' with { type: 'json' }

const price = z.number().nonnegative()

const RegionPrices = z.object({
  loadBalancerHourly: price.optional(),
  /** the root disk of one instance, per month */
  diskMonthly: price.optional(),
  instances: z.record(z.string(), price),
})

const ProviderPrices = z.object({
  rootDisk: z.string(),
  loadBalancer: z.string(),
  /** GCP prices machine types from per-vCPU and per-GiB rates; refresh-prices needs the shapes */
  machineShapes: z.record(z.string(), z.object({ series: z.string(), vcpus: z.number().positive(), memoryGiB: z.number().positive() })).optional(),
  regions: z.record(z.string(), RegionPrices),
})

export const CatalogSchema = z.object({
  version: z.literal(1),
  date: z.iso.date(),
  source: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  hoursPerMonth: z.number().int().positive(),
  providers: z.object({ aws: ProviderPrices.optional(), azure: ProviderPrices.optional(), gcp: ProviderPrices.optional() }),
})

export type PriceCatalog = z.infer<typeof CatalogSchema>
export type ProviderPriceList = z.infer<typeof ProviderPrices>
export type RegionPriceList = z.infer<typeof RegionPrices>
/** The kinds the catalog has prices for (the catalog file's own keys). */
export type CloudKind = keyof PriceCatalog['providers']

/** The snapshot shipped with this version of strato. */
export const SHIPPED_CATALOG: PriceCatalog = CatalogSchema.parse(shipped)

/** Validates catalog data read from a file; `origin` names the file in the error. */
export function parseCatalog(data: unknown, origin: string): PriceCatalog {
  const parsed = CatalogSchema.safeParse(data)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw usageError(
      `${origin} is not a strato price catalog (${first.path.join('.') || 'top level'}: ${first.message}).`,
      'Regenerate it with `strato cost refresh-prices`, or remove it to use the snapshot shipped with strato.',
    )
  }
  return parsed.data
}

/** The catalog's prices for a kind, when it has any. */
export function providerPrices(catalog: PriceCatalog, kind: ProviderKind): ProviderPriceList | undefined {
  return (catalog.providers as Partial<Record<ProviderKind, ProviderPriceList>>)[kind]
}

export function regionPrices(catalog: PriceCatalog, kind: ProviderKind, region: string): RegionPriceList | undefined {
  return providerPrices(catalog, kind)?.regions[region]
}
