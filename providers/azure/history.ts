/**
 * Releases read back from the scale sets' tags (releases.ts), joined across
 * services into the project's history, and the choice a rollback makes.
 */
import { usageError } from '../../src/errors.js'
import { LABEL } from '../../src/model.js'
import type { ReleaseRecord } from '../provider.js'
import type { ScaleSetEntry } from './inventory.js'
import { readReleases } from './releases.js'

export function releaseHistory(entries: ScaleSetEntry[]): ReleaseRecord[] {
  const byNumber = new Map<number, ReleaseRecord>()
  for (const { scaleSet } of entries) {
    const service = scaleSet.tags?.[LABEL.service]
    if (!service) continue
    for (const release of readReleases(scaleSet.tags)) {
      const record = byNumber.get(release.number) ?? { number: release.number, at: release.at, by: release.by, kind: release.kind, services: {} }
      record.services[service] = { version: release.version, image: release.image, replicas: release.replicas }
      byNumber.set(release.number, record)
    }
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number)
}

/** The release to return to: by number or version, else the one before the newest. */
export function chooseRelease(history: ReleaseRecord[], to: string | undefined, targetName: string): ReleaseRecord {
  if (history.length === 0) throw usageError(`Target "${targetName}" has no release history to roll back to.`, 'Deploy first; each deploy records a release on the scale sets.')
  if (to === undefined) {
    if (history.length < 2) throw usageError(`Target "${targetName}" has only one release (${history[0].number}); there is nothing before it.`, 'Deploy a new version first, or name a release with --to.')
    return history[history.length - 2]
  }
  const byNumber = /^\d+$/.test(to) ? history.find((release) => release.number === Number(to)) : undefined
  const byVersion = [...history].reverse().find((release) => Object.values(release.services).some((service) => service.version.startsWith(to)))
  const found = byNumber ?? byVersion
  if (!found) {
    throw usageError(`Release ${to} is not in the history of target "${targetName}" (kept: ${history.map((release) => release.number).join(', ')}).`, 'Run strato releases to see the releases Azure keeps (the newest 10).')
  }
  return found
}
