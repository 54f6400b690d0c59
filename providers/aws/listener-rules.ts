/**
 * The shared balancer's listener rules, as data: a service's route becomes
 * host-header and path-pattern conditions, and the rules' priorities follow
 * the routes' specificity (src/lb/routes.ts). Pure and SDK-free, so the
 * changes a deploy makes to the listener are unit-tested exactly; routing.ts
 * applies them.
 */
import { routeOrder, type Route } from '../../src/lb/routes.js'

/** The conditions of one rule, in the ELBv2 input shape. */
export type RuleCondition =
  | { Field: 'host-header'; HostHeaderConfig: { Values: string[] } }
  | { Field: 'path-pattern'; PathPatternConfig: { Values: string[] } }

/** A rule as read back: its conditions as the API answers them (either shape of values). */
export interface ExistingRule {
  arn: string
  priority: number
  /** the service whose target group it forwards to, when strato made it */
  service?: string
  conditions: { Field?: string; Values?: string[]; HostHeaderConfig?: { Values?: string[] }; PathPatternConfig?: { Values?: string[] } }[]
}

export interface DesiredRule {
  service: string
  priority: number
  conditions: RuleCondition[]
}

/**
 * /orders matches /orders and everything under /orders/ (not /ordersx); the
 * path reaches the service unchanged. A host with path / needs no path condition.
 */
export function ruleConditions(route: Route): RuleCondition[] {
  const conditions: RuleCondition[] = []
  if (route.host !== undefined) conditions.push({ Field: 'host-header', HostHeaderConfig: { Values: [route.host] } })
  if (route.path !== '/') conditions.push({ Field: 'path-pattern', PathPatternConfig: { Values: [route.path, `${route.path}/*`] } })
  else if (route.host === undefined) conditions.push({ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } })
  return conditions
}

function valuesOf(conditions: ExistingRule['conditions'], field: 'host-header' | 'path-pattern'): string[] | undefined {
  const condition = conditions.find((candidate) => candidate.Field === field)
  if (!condition) return undefined
  const values = field === 'host-header' ? condition.HostHeaderConfig?.Values : condition.PathPatternConfig?.Values
  return [...(values?.length ? values : condition.Values ?? [])].sort()
}

/** Whether a rule's conditions are exactly the route's. */
export function sameConditions(existing: ExistingRule['conditions'], wanted: RuleCondition[]): boolean {
  return (['host-header', 'path-pattern'] as const).every((field) =>
    JSON.stringify(valuesOf(existing, field)) === JSON.stringify(valuesOf(wanted, field))) &&
    existing.every((condition) => condition.Field === 'host-header' || condition.Field === 'path-pattern')
}

/** The route a rule serves, read back from its conditions (for endpoints); undefined when strato would not have written them. */
export function routeOfConditions(conditions: ExistingRule['conditions']): Route | undefined {
  const host = valuesOf(conditions, 'host-header')?.[0]
  const paths = valuesOf(conditions, 'path-pattern')
  const path = paths === undefined || paths.includes('/*') ? '/' : paths.find((value) => !value.includes('*'))
  if (path === undefined) return undefined
  return host === undefined ? { path } : { host, path }
}

/** One rule per routed service, most specific first, at priorities 1, 2, 3... */
export function desiredRules(routes: { name: string; route: Route }[]): DesiredRule[] {
  return routeOrder(routes).map((entry, index) => ({ service: entry.name, priority: index + 1, conditions: ruleConditions(entry.route) }))
}

export interface RuleChanges {
  /** rules to delete first: strato's own duplicates */
  remove: string[]
  /** rules whose conditions change in place (traffic keeps flowing to the same target group) */
  modify: { arn: string; service: string; conditions: RuleCondition[] }[]
  /** priorities to set, in two steps when a target priority is taken, so no two rules ever hold the same one: out of the way, then in place */
  parked: { arn: string; priority: number }[]
  moves: { arn: string; priority: number }[]
  create: DesiredRule[]
}

/**
 * What makes the listener's rules match the desired ones. Rules of services
 * not desired stay (their service's delete removes them), moved out of the
 * way when they hold a priority a desired rule needs; a rule strato did not
 * make is never touched, and creating over it fails with PriorityInUse.
 */
export function planRuleChanges(existing: ExistingRule[], desired: DesiredRule[]): RuleChanges {
  const changes: RuleChanges = { remove: [], modify: [], parked: [], moves: [], create: [] }
  const byService = new Map<string, ExistingRule>()
  for (const rule of [...existing].sort((a, b) => a.priority - b.priority)) {
    if (rule.service === undefined || !desired.some((want) => want.service === rule.service)) continue
    if (byService.has(rule.service)) changes.remove.push(rule.arn)
    else byService.set(rule.service, rule)
  }
  const highest = Math.max(desired.length, ...existing.map((rule) => rule.priority))
  for (const want of desired) {
    const have = byService.get(want.service)
    if (!have) {
      changes.create.push(want)
      continue
    }
    if (!sameConditions(have.conditions, want.conditions)) changes.modify.push({ arn: have.arn, service: want.service, conditions: want.conditions })
    if (have.priority !== want.priority) {
      changes.parked.push({ arn: have.arn, priority: highest + want.priority })
      changes.moves.push({ arn: have.arn, priority: want.priority })
    }
  }
  // strato's rules of services not routed here any more keep serving until their service goes, but out of the way
  const wanted = new Set(desired.map((want) => want.priority))
  for (const rule of existing) {
    if (rule.service === undefined || desired.some((want) => want.service === rule.service) || !wanted.has(rule.priority)) continue
    changes.parked.push({ arn: rule.arn, priority: highest + desired.length + rule.priority })
  }
  const taken = new Set(existing.map((rule) => rule.priority))
  if (!changes.moves.some((move) => taken.has(move.priority)) && !changes.parked.some((park) => !changes.moves.some((move) => move.arn === park.arn))) changes.parked = []
  return changes
}
