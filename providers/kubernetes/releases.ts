/**
 * Releases read back from the Deployments' revision history: each
 * ReplicaSet is one revision of one service, stamped with when and by whom it
 * was deployed (annotations the Deployment passes on). A release is what one
 * deploy stamped at the same moment; the services it did not touch keep the
 * revision they had. Kubernetes reuses an old ReplicaSet when a template comes
 * back, so a version rolled back to is listed once, at its latest deploy.
 */
import type { ReleaseRecord } from '../provider.js'
import { ANNOTATION, LABEL } from './labels.js'
import { revisionOf, type ReplicaSetLike } from './rollout.js'

export interface ServiceRevision {
  service: string
  revision: number
  version: string
  image: string
  replicas: number
  at: string
  by: string
  kind: string
  set: ReplicaSetLike
}

export function serviceRevisions(service: string, sets: ReplicaSetLike[], currentReplicas: number): ServiceRevision[] {
  const newest = Math.max(0, ...sets.map(revisionOf))
  return sets.filter((set) => set.metadata.annotations?.[ANNOTATION.failed] !== 'true').map((set) => {
    const template = set.spec?.template
    const containers = (template?.spec?.containers ?? []) as { image?: string }[]
    return {
      service,
      revision: revisionOf(set),
      version: template?.metadata?.labels?.[LABEL.version] ?? 'unknown',
      image: containers[0]?.image ?? '',
      // A ReplicaSet scaled to 0 is history; the replicas a release had are the Deployment's while it is current.
      replicas: revisionOf(set) === newest ? currentReplicas : set.spec?.replicas ?? 0,
      at: set.metadata.annotations?.[ANNOTATION.deployedAt] ?? set.metadata.creationTimestamp ?? '',
      by: set.metadata.annotations?.[ANNOTATION.deployedBy] ?? 'unknown',
      kind: set.metadata.annotations?.[ANNOTATION.releaseKind] ?? 'deploy',
      set,
    }
  })
}

/** Releases, oldest first, numbered from 1: one per deploy moment, with every service's revision as of then. */
export function releasesFrom(revisions: ServiceRevision[]): (ReleaseRecord & { revisions: Record<string, number> })[] {
  const moments = [...new Set(revisions.map((revision) => revision.at))].sort()
  const services = [...new Set(revisions.map((revision) => revision.service))].sort()
  return moments.map((at, index) => {
    const record: ReleaseRecord & { revisions: Record<string, number> } = { number: index + 1, at, by: 'unknown', kind: 'deploy', services: {}, revisions: {} }
    for (const service of services) {
      const current = revisions.filter((revision) => revision.service === service && revision.at <= at).sort((a, b) => a.at.localeCompare(b.at) || a.revision - b.revision).at(-1)
      if (!current) continue
      record.services[service] = { version: current.version, image: current.image, replicas: current.replicas }
      record.revisions[service] = current.revision
      if (current.at === at) {
        record.by = current.by
        record.kind = current.kind
      }
    }
    return record
  })
}

/** The release `to` names (number or version), or the one before the newest. */
export function pickRelease<T extends ReleaseRecord>(releases: T[], to: string | undefined): T | undefined {
  if (to === undefined) {
    // The newest earlier release that runs something else: one that only scaled or re-stamped is not a step back.
    const current = releases.at(-1)
    const differs = (release: T) => Object.entries(release.services).some(([service, state]) => current?.services[service]?.version !== state.version)
    return releases.slice(0, -1).reverse().find(differs)
  }
  if (/^\d+$/.test(to)) return releases.find((release) => release.number === Number(to))
  return [...releases].reverse().find((release) => Object.values(release.services).some((service) => service.version.startsWith(to)))
}
