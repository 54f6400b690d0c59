/** The plan for a whole project: desired state per target against each target's inventory. */
import type { Manifest, Target } from '../manifest/schema.js'
import type { Action, Plan, Resource } from '../model.js'
import { desiredState, type DesiredService } from './desired.js'
import { planTarget } from './plan.js'
import { serviceVersion } from './version.js'

export function serviceVersions(manifest: Manifest, projectDir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.services).map(([name, service]) => [name, serviceVersion(projectDir, name, service)]))
}

export interface ProjectPlan extends Plan {
  desired: DesiredService[]
}

export function planProject(manifest: Manifest, targets: Record<string, Target>, selected: string[], versions: Record<string, string>, inventories: Record<string, Resource[]>): ProjectPlan {
  const desired = desiredState(manifest, targets, versions).filter((entry) => selected.includes(entry.target))
  const actions: Action[] = selected.flatMap((target) => planTarget(target, desired, inventories[target] ?? []))
  return { project: manifest.name, actions, desired }
}

/** Plan rows for a table: target, service, action, replicas, version, why. */
export function planRows(actions: Action[]): string[][] {
  return actions.map((action) => [
    action.target,
    action.service,
    action.kind,
    action.from === action.to || action.from === undefined ? String(action.to ?? '') : `${action.from} -> ${action.to}`,
    action.fromVersion && action.toVersion && action.fromVersion !== action.toVersion ? `${action.fromVersion} -> ${action.toVersion}` : (action.toVersion ?? action.fromVersion ?? ''),
    action.reasons.join('; '),
  ])
}
