/**
 * What exists for a project on one gcp target, read back from Google only:
 * the regional groups named strato-<project>-* (confirmed by the state in
 * their descriptions: strato-shop-* also prefixes a project called
 * shop-api's), their members, the project's templates (by label) and its
 * forwarding rules (by label), in one listing each plus one member listing
 * per group, run with bounded concurrency. With `all`, the rest of what
 * strato creates is listed too (destroy proves nothing is left).
 */
import type { protos } from '@google-cloud/compute'
import { LABEL, type Resource, type ResourceKind } from '../../src/model.js'
import { PAGED, type GcpApi } from './api.js'
import { lastSegment, readGroup, readMembers } from './group-state.js'
import { readStateDescription, stateOfLabels } from './resource-state.js'
import { projectNameFilter } from './naming.js'
import { addedHosts } from './startup-script.js'

type Group = protos.google.cloud.compute.v1.IInstanceGroupManager
type ManagedInstance = protos.google.cloud.compute.v1.IManagedInstance
type Template = protos.google.cloud.compute.v1.IInstanceTemplate
type ForwardingRule = protos.google.cloud.compute.v1.IForwardingRule
type Described = { name?: string | null; description?: string | null; selfLink?: string | null; region?: string | null }

export interface GcpInventory {
  groups: { group: Group; members: ManagedInstance[] }[]
  templates: Template[]
  forwardingRules: ForwardingRule[]
  /** with `all`: the resources that carry their state only in their descriptions */
  others?: { kind: ResourceKind; type: string; item: Described }[]
}

/** Calls in flight at once when a listing fans out per group. */
const CONCURRENCY = 16

async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** Whether a description-carrying resource is this project's (and this target's, when the state names one). */
export function ownedBy(item: Described, project: string, target: string): boolean {
  const state = readStateDescription(item.description)
  return state?.[LABEL.project] === project && (state['strato.target'] === undefined || state['strato.target'] === target)
}

export async function readInventory(api: GcpApi, project: string, target: string, options: { all?: boolean } = {}): Promise<GcpInventory> {
  const byName = projectNameFilter(project)
  const byLabel = `labels.strato-project = ${project}`
  const { project: gcpProject, region } = api
  const [groups, templates, globalRules, regionalRules, others] = await Promise.all([
    api.all('regionInstanceGroupManagers.list', () => api.compute.groups.listAsync({ project: gcpProject, region, filter: byName }, PAGED)),
    api.all('instanceTemplates.list', () => api.compute.instanceTemplates.listAsync({ project: gcpProject, filter: `properties.${byLabel}` }, PAGED)),
    api.all('globalForwardingRules.list', () => api.compute.globalForwardingRules.listAsync({ project: gcpProject, filter: byLabel }, PAGED)),
    api.all('forwardingRules.list', () => api.compute.forwardingRules.listAsync({ project: gcpProject, region, filter: byLabel }, PAGED)),
    options.all ? readOthers(api, byName) : undefined,
  ])
  const owned = groups.filter((group) => ownedBy(group, project, target))
  const members = await mapBounded(owned, CONCURRENCY, (group) =>
    api.all('regionInstanceGroupManagers.listManagedInstances', () =>
      api.compute.groups.listManagedInstancesAsync({ project: gcpProject, region, instanceGroupManager: String(group.name) }, PAGED)))
  const ours = (labels: Record<string, string> | null | undefined) => stateOfLabels(labels)[LABEL.project] === project
  return {
    groups: owned.map((group, index) => ({ group, members: members[index] })),
    templates: templates.filter((template) => ours(template.properties?.labels) && ownedBy(template, project, target)),
    forwardingRules: [...globalRules, ...regionalRules].filter((rule) => ours(rule.labels) && ownedBy(rule, project, target)),
    others: others?.filter(({ item }) => ownedBy(item, project, target)),
  }
}

async function readOthers(api: GcpApi, filter: string): Promise<NonNullable<GcpInventory['others']>> {
  const { project, region } = api
  const listings = await Promise.all([
    api.all('regionAutoscalers.list', () => api.compute.autoscalers.listAsync({ project, region, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'autoscaler' as const, type: 'autoscaler', item }))),
    api.all('backendServices.list', () => api.compute.backendServices.listAsync({ project, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'balancer' as const, type: 'backendService', item }))),
    api.all('regionBackendServices.list', () => api.compute.regionBackendServices.listAsync({ project, region, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'balancer' as const, type: 'regionBackendService', item }))),
    api.all('healthChecks.list', () => api.compute.healthChecks.listAsync({ project, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'health-check' as const, type: 'healthCheck', item }))),
    api.all('regionHealthChecks.list', () => api.compute.regionHealthChecks.listAsync({ project, region, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'health-check' as const, type: 'regionHealthCheck', item }))),
    api.all('firewalls.list', () => api.compute.firewalls.listAsync({ project, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'security-group' as const, type: 'firewall', item }))),
    api.all('urlMaps.list', () => api.compute.urlMaps.listAsync({ project, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'balancer' as const, type: 'urlMap', item }))),
    api.all('addresses.list', () => api.compute.addresses.listAsync({ project, region, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'network' as const, type: 'address', item }))),
    api.all('targetHttpProxies.list', () => api.compute.targetHttpProxies.listAsync({ project, filter }, PAGED)).then((items) => items.map((item) => ({ kind: 'balancer' as const, type: 'targetHttpProxy', item }))),
  ])
  return listings.flat()
}

/** Each template's version and state, by template name. */
export function templateVersions(templates: Template[]): Map<string, Record<string, string>> {
  return new Map(templates.map((template) => [String(template.name), readStateDescription(template.description) ?? stateOfLabels(template.properties?.labels)]))
}

/** How status shows a private service: its internal address and port, marked private (no scheme: any TCP protocol). */
export function privateEndpoint(address: string, port: string | null | undefined): string {
  return `${address}:${port ?? ''} (private)`
}

/**
 * The address each service of `groups` answers on: the shared HTTP balancer's /<service>/, its own network
 * balancer's port, or the internal balancer's; none for a worker (its group names no port).
 */
export function serviceEndpoints(rules: ForwardingRule[], groups: Group[]): Map<string, string> {
  const endpoints = new Map<string, string>()
  const shared = rules.find((rule) => readStateDescription(rule.description)?.[LABEL.role] === 'forwarding-rule' && !readStateDescription(rule.description)?.[LABEL.service])
  for (const group of groups) {
    const service = readStateDescription(group.description)?.[LABEL.service]
    if (!service || !group.namedPorts?.length) continue
    const own = rules.find((rule) => readStateDescription(rule.description)?.[LABEL.service] === service)
    // a private service answers on the internal address only, and says so
    if (own?.IPAddress && own.loadBalancingScheme === 'INTERNAL') endpoints.set(service, privateEndpoint(own.IPAddress, own.ports?.[0]))
    else if (own?.IPAddress) endpoints.set(service, `http://${own.IPAddress}:${own.ports?.[0] ?? own.portRange?.split('-')[0]}`)
    else if (shared?.IPAddress) endpoints.set(service, `http://${shared.IPAddress}/${service}/`)
  }
  return endpoints
}

/** A regional resource's location; a global one has none (status makes a row per location). */
function scopeOf(regionUrl: string | null | undefined): { location?: string } {
  return regionUrl ? { location: lastSegment(regionUrl) } : {}
}

/** The inventory as the core's Resources; pure, so unit tests feed it recorded answers. */
export function toResources(inventory: GcpInventory, target: string, region: string): Resource[] {
  const versions = templateVersions(inventory.templates)
  const endpoints = serviceEndpoints(inventory.forwardingRules, inventory.groups.map(({ group }) => group))
  const resources: Resource[] = []
  for (const { group, members } of inventory.groups) {
    const state = readGroup(group)
    const labels = state.state ?? {}
    const service = labels[LABEL.service]
    const current = state.templates.at(-1)
    const memberStates = readMembers(members)
    const healthy = memberStates.filter((member) => member.health === 'healthy' || member.health === 'none').length
    resources.push({
      id: String(group.selfLink ?? group.name), kind: 'group', target, service,
      version: current ? versions.get(current)?.[LABEL.version] : undefined,
      location: region,
      state: state.targetSize === 0 ? 'stopped' : state.stable && state.versionReached ? 'running' : 'pending',
      health: memberStates.length === 0 ? 'none' : memberStates.some((member) => member.health === 'unhealthy') ? 'unhealthy' : healthy === memberStates.length ? 'healthy' : 'starting',
      labels, endpoint: service ? endpoints.get(service) : undefined, createdAt: group.creationTimestamp ?? undefined,
      details: { type: 'instanceGroupManager', name: group.name, targetSize: state.targetSize, templates: state.templates, stable: state.stable, versionReached: state.versionReached, autoscaler: state.autoscaler },
    })
    for (const member of memberStates) {
      resources.push({
        id: member.name, kind: 'instance', target, service, version: versions.get(member.template)?.[LABEL.version],
        // the region, not the zone: status shows one row per service and region
        location: region, state: member.state, health: member.health === 'none' && member.state === 'pending' ? 'starting' : member.health,
        labels: { [LABEL.project]: labels[LABEL.project], ...(service ? { [LABEL.service]: service } : {}) },
        details: { zone: member.zone, template: member.template, action: member.action, group: group.name },
      })
    }
  }
  for (const template of inventory.templates) {
    const state = versions.get(String(template.name)) ?? {}
    resources.push({
      id: String(template.selfLink ?? template.name), kind: 'template', target, service: state[LABEL.service], version: state[LABEL.version],
      state: 'running', labels: state, createdAt: template.creationTimestamp ?? undefined,
      details: {
        type: 'instanceTemplate', scope: 'global', name: template.name, machineType: template.properties?.machineType, image: state['strato.image'],
        hosts: addedHosts(template.properties?.metadata?.items?.find((item) => item.key === 'startup-script')?.value),
      },
    })
  }
  for (const rule of inventory.forwardingRules) {
    const state = readStateDescription(rule.description) ?? stateOfLabels(rule.labels)
    resources.push({
      id: String(rule.selfLink ?? rule.name), kind: 'balancer', target, service: state[LABEL.service] || undefined,
      ...scopeOf(rule.region), state: 'running', labels: state,
      endpoint: rule.IPAddress ? (rule.loadBalancingScheme === 'INTERNAL' ? privateEndpoint(rule.IPAddress, rule.ports?.[0]) : `http://${rule.IPAddress}`) : undefined, details: { type: 'forwardingRule', scope: rule.region ? 'regional' : 'global', name: rule.name, ip: rule.IPAddress, scheme: rule.loadBalancingScheme },
    })
  }
  for (const { kind, type, item } of inventory.others ?? []) {
    const state = readStateDescription(item.description) ?? {}
    resources.push({ id: String(item.selfLink ?? item.name), kind, target, service: state[LABEL.service] || undefined, ...scopeOf(item.region), state: 'running', labels: state, details: { name: item.name, type, scope: item.region ? 'regional' : 'global' } })
  }
  return resources
}
