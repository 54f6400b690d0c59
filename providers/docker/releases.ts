/**
 * Release history, kept on the hosts (never in a local file): each deploy or
 * rollback leaves a created-but-never-started container whose labels record
 * when, by whom and which version and image of every service went out.
 */
import type { DockerHost } from './engine.js'
import { inspectContainers } from './inventory.js'
import { labelArgs, labelState, names, projectLabels, ROLE } from './naming.js'
import { dockerArgv } from './argv.js'

export interface Release {
  number: number
  at: string
  by: string
  /** deploy, or "rollback to N" */
  kind: string
  services: Record<string, { version: string; image: string; replicas: number }>
}

/** How many releases each host keeps; older ones are pruned. */
export const KEPT_RELEASES = 20

export async function listReleases(host: DockerHost, project: string): Promise<Release[]> {
  const releases: Release[] = []
  for (const container of await inspectContainers(host, project)) {
    const state = labelState(container.Config.Labels)
    if (state?.role !== ROLE.release) continue
    try {
      releases.push({
        number: Number(state.extra?.['release.number']),
        at: state.deployedAt ?? '',
        by: state.deployedBy ?? '',
        kind: state.extra?.['release.kind'] ?? 'deploy',
        services: JSON.parse(state.extra?.['release.services'] ?? '{}'),
      })
    } catch {
      // A record with broken labels is skipped rather than failing the whole history.
    }
  }
  return releases.sort((a, b) => a.number - b.number)
}

export async function recordRelease(host: DockerHost, project: string, image: string, release: Omit<Release, 'number'>, number: number): Promise<void> {
  const labels = projectLabels(project, ROLE.release, {
    deployedAt: release.at,
    deployedBy: release.by,
    extra: { 'release.number': String(number), 'release.kind': release.kind, 'release.services': JSON.stringify(release.services) },
  })
  await host.run(dockerArgv.createMarker(names.release(project, number), labels, image))
  const existing = await listReleases(host, project)
  for (const old of existing.slice(0, Math.max(0, existing.length - KEPT_RELEASES))) {
    await host.tryRun(dockerArgv.removeContainers([names.release(project, old.number)]))
  }
}
