/**
 * Which targets a change needs the plan of: those whose desired state (the
 * services, replicas and versions placed on them) or whose own definition
 * differs between the base and the change. An unreachable target the change
 * does not touch is reported, not failed. Pure.
 */
import type { Target } from '../manifest/schema.js'
import type { DesiredService } from '../planning/desired.js'

export interface DesiredSide {
  targets: Record<string, Target>
  desired: DesiredService[]
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item && typeof item === 'object' && !Array.isArray(item)
    ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : item))
}

function onTarget(side: DesiredSide, target: string): string {
  const entries = side.desired.filter((entry) => entry.target === target && entry.replicas > 0)
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0))
  return stable({ target: side.targets[target], entries })
}

/** The head's targets whose plan this change affects; every target when the base state is unknown. */
export function targetsChangedBy(head: DesiredSide, base: DesiredSide | undefined): string[] {
  const names = Object.keys(head.targets)
  if (!base) return names
  return names.filter((name) => onTarget(head, name) !== onTarget(base, name))
}
