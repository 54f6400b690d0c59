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
  /** one load balancer capacity unit for an hour (AWS: the LCU), where the balancer is also charged by use */
  capacityUnitHourly: price.optional(),
  /** the internal balancer in front of a target's private services (AWS: the Network Load Balancer), per hour */
  internalLoadBalancerHourly: price.optional(),
  /** one capacity unit of the internal balancer for an hour (AWS: the NLCU) */
  internalCapacityUnitHourly: price.optional(),
  /** the root disk of one instance, per month */
  diskMonthly: price.optional(),
  instances: z.record(z.string(), price),
})

/** What one capacity unit of the balancer covers, per second: the estimate counts the larger of the two uses. */
const CapacityUnit = z.object({
  name: z.string(),
  newConnectionsPerSecond: z.number().positive(),
  /** absent for a balancer without rules (a Network Load Balancer's TCP listeners) */
  ruleEvaluationsPerSecond: z.number().positive().optional(),
  /** rules evaluated per request at no charge */
  freeRules: z.number().int().nonnegative().optional(),
})

const ProviderPrices = z.object({
  rootDisk: z.string(),
  loadBalancer: z.string(),
  capacityUnit: CapacityUnit.optional(),
  /** what fronts private services inside the target's network, and its capacity unit where charged by use */
  internalLoadBalancer: z.string().optional(),
  internalCapacityUnit: CapacityUnit.optional(),
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
export type CapacityUnitModel = z.infer<typeof CapacityUnit>
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
