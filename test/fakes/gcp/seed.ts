/**
 * Seeding for benchmarks and demos: templates and groups created at once
 * (no operations), each group with instances that are already running and
 * healthy, as if they had been there for an hour.
 */
import { type ComputeStore, fingerprintOf, lastSegment, link, relativeOf } from './compute-store.ts'
import { stateOf } from './instance-groups.ts'

export interface SeedRequest {
  project: string
  region: string
  /** instance template bodies, as a client would POST them */
  templates?: Record<string, unknown>[]
  /** group bodies, as a client would POST them, and how many ready instances each has */
  groups?: { group: Record<string, unknown>; instances: number }[]
}

export function seedGroups(store: ComputeStore, request: SeedRequest): { templates: number; groups: number; instances: number } {
  const { project, region } = request
  const since = Date.now() - 3_600_000
  for (const body of request.templates ?? []) {
    const path = `projects/${project}/global/instanceTemplates`
    store.put(path, store.prepare(path, 'compute#instanceTemplate', body))
  }
  let instances = 0
  for (const { group: body, instances: count } of request.groups ?? []) {
    const path = `projects/${project}/regions/${region}/instanceGroupManagers`
    const group = store.prepare(path, 'compute#instanceGroupManager', {
      baseInstanceName: body.name, ...body, targetSize: count,
      region: link(`projects/${project}/regions/${region}`),
      instanceGroup: link(`projects/${project}/regions/${region}/instanceGroups/${String(body.name)}`),
    })
    group.fingerprint = fingerprintOf(group)
    store.put(path, group)
    const template = relativeOf(String(body.instanceTemplate ?? (body.versions as { instanceTemplate: string }[])[0].instanceTemplate), project)
    const zones = ((body.distributionPolicy as { zones?: { zone: string }[] } | undefined)?.zones ?? [{ zone: `${region}-b` }]).map((entry) => lastSegment(entry.zone))
    for (let index = 0; index < count; index++) {
      stateOf(group).instances.push({
        id: store.newId(), name: `${String(body.name)}-${index.toString(36).padStart(4, '0')}`, zone: zones[index % zones.length], template,
        createdAt: since, runningAt: since, healthyAt: since,
      })
      instances++
    }
  }
  return { templates: request.templates?.length ?? 0, groups: request.groups?.length ?? 0, instances }
}
