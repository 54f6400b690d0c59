/** Checking what `strato scale` was given, before anything on a target is touched. */
import { usageError } from '../errors.js'
import { MAX_REPLICAS_PER_SERVICE, MAX_REPLICAS_REASON } from '../manifest/limits.js'
import type { Manifest } from '../manifest/schema.js'
import { didYouMean } from '../suggest.js'

export function checkService(manifest: Manifest, service: string): void {
  const known = Object.keys(manifest.services)
  if (!known.includes(service)) {
    const suggestion = didYouMean(service, known)
    throw usageError(`Unknown service "${service}"${suggestion || '.'}`, `Use one of the services in strato.yaml: ${known.join(', ')}.`)
  }
}

/** A replica count: a whole number, zero or more. */
export function parseReplicaCount(raw: string): number {
  const value = Number(raw)
  if (!/^\s*-?\d+(\.\d+)?\s*$/.test(raw) || !Number.isInteger(value) || value < 0) {
    throw usageError(`Replicas must be a whole number of 0 or more, got "${raw}".`, 'Pass a count such as 3, e.g. strato scale orders 3.')
  }
  if (value > MAX_REPLICAS_PER_SERVICE) {
    throw usageError(`Replicas must be at most ${MAX_REPLICAS_PER_SERVICE}, got ${raw.trim()}: ${MAX_REPLICAS_REASON}.`, 'Pass a smaller count; to run more, split the service.')
  }
  return value
}
