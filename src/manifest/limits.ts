/**
 * How many replicas strato will be asked for: one bound per service, and a
 * lower one per target where the provider's group has a hard size limit.
 * Counts above them are refused with the reason, before anything is planned.
 */
import type { ProviderKind } from './schema.js'

/** Replicas of one service: more is taken for a typo (replicas: 1000000000), not a plan; no provider's group runs more. */
export const MAX_REPLICAS_PER_SERVICE = 10_000
export const MAX_REPLICAS_REASON = `strato manages at most ${MAX_REPLICAS_PER_SERVICE.toLocaleString('en-US')} replicas of one service`

/** Where a provider's group of instances has a hard size limit, the limit and why. */
export const TARGET_REPLICA_LIMITS: Partial<Record<ProviderKind, { max: number; why: string }>> = {
  gcp: { max: 1000, why: 'a zonal managed instance group holds at most 1,000 VMs' },
  azure: { max: 1000, why: 'a virtual machine scale set holds at most 1,000 VMs' },
}
