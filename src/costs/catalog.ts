/**
 * The price catalog: a dated snapshot of on-demand hourly prices shipped with
 * strato, or a newer one written by `strato cost refresh-prices`. Every report
 * names the catalog's source and date.
 */
import { z } from 'zod'
import { usageError } from '../errors.js'
import type { ProviderKind, Target } from '../manifest/schema.js'
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
/** The clouds the price catalog covers. */
export type CloudKind = Extract<ProviderKind, 'aws' | 'azure' | 'gcp'>

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

/** Where and what one cloud target runs: the catalog keys to price it by. */
export interface CloudPlacement {
  provider: CloudKind
  region: string
  /** instance type, VM size or machine type */
  size: string
  /** true when the target names no size and the default was assumed */
  assumed: boolean
}

/** The sizes strato assumes when a target names none. */
export const DEFAULT_SIZES: Record<CloudKind, string> = { aws: 't3.small', azure: 'Standard_B2s', gcp: 'e2-small' }

export function cloudPlacement(target: Target): CloudPlacement | undefined {
  switch (target.provider) {
    case 'aws':
      return { provider: 'aws', region: target.region, size: target.instanceType ?? DEFAULT_SIZES.aws, assumed: !target.instanceType }
    case 'azure':
      return { provider: 'azure', region: target.location, size: target.vmSize ?? DEFAULT_SIZES.azure, assumed: !target.vmSize }
    case 'gcp':
      // Prices are per region; a zone is its region plus a letter.
      return { provider: 'gcp', region: target.zone.replace(/-[a-z]$/, ''), size: target.machineType ?? DEFAULT_SIZES.gcp, assumed: !target.machineType }
    default:
      return undefined
  }
}

export function regionPrices(catalog: PriceCatalog, provider: CloudKind, region: string): RegionPriceList | undefined {
  return catalog.providers[provider]?.regions[region]
}
