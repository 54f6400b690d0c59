/**
 * Release history from the templates, which never change: the templates
 * one deploy created share its time and deployer, and a release is what
 * every service ran right after that deploy (its newest template at that
 * time). A rollback points the groups back at a release's templates through
 * the same health-gated rollout, and adds no release of its own.
 */
import type { protos } from '@google-cloud/compute'
import { UserError } from '../../src/errors.js'
import { LABEL, type ApplyResult, type Progress } from '../../src/model.js'
import type { ReleaseRecord } from '../provider.js'
import { groupOps, type DeploymentContext } from './deployment.js'
import { readGroup } from './group-state.js'
import { readInventory, serviceEndpoints, templateVersions } from './inventory.js'
import { rollOut } from './rollout.js'

type Template = protos.google.cloud.compute.v1.IInstanceTemplate

export interface GcpRelease extends ReleaseRecord {
  /** the template of each service in this release */
  templates: Record<string, string>
}

/** The releases, oldest first; pure. */
export function releasesFrom(templates: Template[]): GcpRelease[] {
  const states = [...templateVersions(templates)].filter(([, state]) => state[LABEL.deployedAt] && state[LABEL.service])
  const deploys = [...new Set(states.map(([, state]) => state[LABEL.deployedAt]))].sort()
  return deploys.map((at, index) => {
    const services: ReleaseRecord['services'] = {}
    const chosen: Record<string, string> = {}
    const newest = new Map<string, { template: string; state: Record<string, string> }>()
    for (const [template, state] of states) {
      if (state[LABEL.deployedAt] > at) continue
      const seen = newest.get(state[LABEL.service])
      if (!seen || seen.state[LABEL.deployedAt] < state[LABEL.deployedAt]) newest.set(state[LABEL.service], { template, state })
    }
    for (const [service, { template, state }] of [...newest].sort(([a], [b]) => a.localeCompare(b))) {
      services[service] = { version: state[LABEL.version], image: state['strato.image'] ?? '', replicas: Number(state['strato.replicas'] ?? 0) }
      chosen[service] = template
    }
    const by = states.find(([, state]) => state[LABEL.deployedAt] === at)?.[1][LABEL.deployedBy] ?? ''
    return { number: index + 1, at, by, kind: 'deploy', services, templates: chosen }
  })
}

/** The release `to` names (its number or a version it holds), or the one before the newest. */
export function pickRelease(releases: GcpRelease[], to: string | undefined): GcpRelease {
  if (to === undefined) {
    if (releases.length < 2) throw new UserError('There is no earlier release to roll back to.', { code: 'conflict', fix: 'See `strato releases`; a rollback needs at least two releases.' })
    return releases[releases.length - 2]
  }
  const found = /^\d+$/.test(to) ? releases.find((release) => release.number === Number(to)) : releases.find((release) => Object.values(release.services).some((service) => service.version === to))
  if (!found) throw new UserError(`No release ${to} on this target.`, { code: 'usage', fix: `Pick one of ${releases.map((release) => release.number).join(', ') || 'none'} (see \`strato releases\`).` })
  return found
}

export async function rollbackTo(context: DeploymentContext, to: string | undefined, progress: Progress): Promise<ApplyResult & { release: number }> {
  const { api, manifest, targetName } = context
  const inventory = await readInventory(api, manifest.name, targetName)
  const release = pickRelease(releasesFrom(inventory.templates), to)
  progress.step(`${targetName}: rolling back to release ${release.number} (${release.at})`)
  const applied: ApplyResult['applied'] = []
  for (const { group } of inventory.groups) {
    const state = readGroup(group)
    const service = state.state?.[LABEL.service]
    const template = service ? release.templates[service] : undefined
    const spec = service ? manifest.services[service] : undefined
    if (!service || !template || !spec || state.templates.at(-1) === template) continue
    const from = state.templates.at(-1)
    await rollOut(groupOps(context, service, spec), { service, fromTemplate: from, toTemplate: template, targetSize: state.targetSize, timeoutMs: context.timing.healthTimeoutMs, pollMs: context.timing.pollMs }, progress)
    applied.push({ kind: 'update', target: targetName, service, from: state.targetSize, to: state.targetSize, toVersion: release.services[service].version, reasons: [`rollback to release ${release.number}`] })
  }
  return { applied, endpoints: Object.fromEntries(serviceEndpoints(inventory.forwardingRules, inventory.groups.map(({ group }) => group))), warnings: [], release: release.number }
}
