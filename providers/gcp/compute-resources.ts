/**
 * Putting each kind of compute resource in the state a body describes:
 * found by name, created when missing, changed when what strato manages
 * differs (with the resource's fingerprint where the API wants one), and
 * removed without complaint when already gone. Every call goes through
 * GcpApi, so it is retried, awaited and translated the same way.
 */
import type { protos } from '@google-cloud/compute'
import type { GcpApi } from './api.js'
import { isGcpError } from './errors.js'
import type { CallName } from './permissions.js'

type HealthCheck = protos.google.cloud.compute.v1.IHealthCheck
type Firewall = protos.google.cloud.compute.v1.IFirewall
type Template = protos.google.cloud.compute.v1.IInstanceTemplate
type BackendService = protos.google.cloud.compute.v1.IBackendService
type UrlMap = protos.google.cloud.compute.v1.IUrlMap
type Proxy = protos.google.cloud.compute.v1.ITargetHttpProxy
type ForwardingRule = protos.google.cloud.compute.v1.IForwardingRule
type Address = protos.google.cloud.compute.v1.IAddress
export type Scope = 'global' | 'regional'

const LINK = /(^|\/)(projects|global|regions|zones)\//

/** Whether the fields strato sets in `wanted` differ from what `actual` has (links compared by their last parts). */
export function differs(wanted: unknown, actual: unknown): boolean {
  if (typeof wanted === 'string' && typeof actual === 'string' && LINK.test(wanted) && LINK.test(actual)) {
    return !actual.endsWith(wanted.replace(/^.*?\/(?=(projects|global|regions|zones)\/)/, ''))
  }
  if (Array.isArray(wanted)) {
    return !Array.isArray(actual) || wanted.length !== actual.length || wanted.some((item, index) => differs(item, actual[index]))
  }
  if (wanted && typeof wanted === 'object') {
    if (!actual || typeof actual !== 'object') return true
    return Object.entries(wanted).some(([key, value]) => differs(value, (actual as Record<string, unknown>)[key]))
  }
  return wanted !== undefined && String(wanted) !== String(actual ?? '')
}

async function gone(api: GcpApi, name: CallName, run: (requestId: string) => Promise<[{ latestResponse: unknown }, ...unknown[]]>): Promise<boolean> {
  try {
    await api.mutate(name, run)
    return true
  } catch (error) {
    if (isGcpError(error, 'notFound')) return false
    throw error
  }
}

export type Ensured = 'created' | 'updated' | 'unchanged'

/** Creates the resource when `find` finds nothing, changes it when the fields strato sets differ. */
async function ensure<T extends object>(wanted: object, steps: { find(): Promise<[T, ...unknown[]] | undefined>; insert(): Promise<unknown>; change(found: T): Promise<unknown> }): Promise<Ensured> {
  const found = await steps.find()
  if (!found) {
    await steps.insert()
    return 'created'
  }
  if (!differs(wanted, found[0])) return 'unchanged'
  await steps.change(found[0])
  return 'updated'
}

export function ensureHealthCheck(api: GcpApi, body: HealthCheck, scope: Scope): Promise<Ensured> {
  const { project, region } = api
  const healthCheck = String(body.name)
  return ensure(body, scope === 'regional' ? {
    find: () => api.find('regionHealthChecks.get', () => api.compute.regionHealthChecks.get({ project, region, healthCheck })),
    insert: () => api.mutate('regionHealthChecks.insert', (requestId) => api.compute.regionHealthChecks.insert({ project, region, requestId, healthCheckResource: body })),
    change: () => api.mutate('regionHealthChecks.update', (requestId) => api.compute.regionHealthChecks.update({ project, region, healthCheck, requestId, healthCheckResource: body })),
  } : {
    find: () => api.find('healthChecks.get', () => api.compute.healthChecks.get({ project, healthCheck })),
    insert: () => api.mutate('healthChecks.insert', (requestId) => api.compute.healthChecks.insert({ project, requestId, healthCheckResource: body })),
    change: () => api.mutate('healthChecks.update', (requestId) => api.compute.healthChecks.update({ project, healthCheck, requestId, healthCheckResource: body })),
  })
}

export function ensureFirewall(api: GcpApi, body: Firewall): Promise<Ensured> {
  const { project } = api
  const firewall = String(body.name)
  return ensure(body, {
    find: () => api.find('firewalls.get', () => api.compute.firewalls.get({ project, firewall })),
    insert: () => api.mutate('firewalls.insert', (requestId) => api.compute.firewalls.insert({ project, requestId, firewallResource: body })),
    change: () => api.mutate('firewalls.patch', (requestId) => api.compute.firewalls.patch({ project, firewall, requestId, firewallResource: body })),
  })
}

/** Templates never change: one is created for a version that has none. */
export async function ensureTemplate(api: GcpApi, body: Template): Promise<Ensured> {
  const { project } = api
  const found = await api.find('instanceTemplates.get', () => api.compute.instanceTemplates.get({ project, instanceTemplate: String(body.name) }))
  if (found) return 'unchanged'
  await api.mutate('instanceTemplates.insert', (requestId) => api.compute.instanceTemplates.insert({ project, requestId, instanceTemplateResource: body }))
  return 'created'
}

export function ensureBackendService(api: GcpApi, body: BackendService, scope: Scope): Promise<Ensured> {
  const { project, region } = api
  const backendService = String(body.name)
  // a change sends the fingerprint read with it, so a concurrent change is refused rather than lost
  return ensure(body, scope === 'regional' ? {
    find: () => api.find('regionBackendServices.get', () => api.compute.regionBackendServices.get({ project, region, backendService })),
    insert: () => api.mutate('regionBackendServices.insert', (requestId) => api.compute.regionBackendServices.insert({ project, region, requestId, backendServiceResource: body })),
    change: (found) => api.mutate('regionBackendServices.patch', (requestId) => api.compute.regionBackendServices.patch({
      project, region, backendService, requestId, backendServiceResource: { ...body, fingerprint: found.fingerprint },
    })),
  } : {
    find: () => api.find('backendServices.get', () => api.compute.backendServices.get({ project, backendService })),
    insert: () => api.mutate('backendServices.insert', (requestId) => api.compute.backendServices.insert({ project, requestId, backendServiceResource: body })),
    change: (found) => api.mutate('backendServices.patch', (requestId) => api.compute.backendServices.patch({
      project, backendService, requestId, backendServiceResource: { ...body, fingerprint: found.fingerprint },
    })),
  })
}

export function ensureUrlMap(api: GcpApi, body: UrlMap): Promise<Ensured> {
  const { project } = api
  const urlMap = String(body.name)
  return ensure(body, {
    find: () => api.find('urlMaps.get', () => api.compute.urlMaps.get({ project, urlMap })),
    insert: () => api.mutate('urlMaps.insert', (requestId) => api.compute.urlMaps.insert({ project, requestId, urlMapResource: body })),
    change: (found) => api.mutate('urlMaps.update', (requestId) => api.compute.urlMaps.update({ project, urlMap, requestId, urlMapResource: { ...body, fingerprint: found.fingerprint } })),
  })
}

export async function ensureProxy(api: GcpApi, body: Proxy): Promise<Ensured> {
  const { project } = api
  const found = await api.find('targetHttpProxies.get', () => api.compute.targetHttpProxies.get({ project, targetHttpProxy: String(body.name) }))
  if (found) return 'unchanged'
  await api.mutate('targetHttpProxies.insert', (requestId) => api.compute.targetHttpProxies.insert({ project, requestId, targetHttpProxyResource: body }))
  return 'created'
}

/** Forwarding rules are created once; their address is what the endpoint reports. */
export async function ensureForwardingRule(api: GcpApi, body: ForwardingRule, scope: Scope): Promise<ForwardingRule> {
  const { project, region } = api
  const forwardingRule = String(body.name)
  if (scope === 'regional') {
    const found = await api.find('forwardingRules.get', () => api.compute.forwardingRules.get({ project, region, forwardingRule }))
    if (found) return found[0]
    await api.mutate('forwardingRules.insert', (requestId) => api.compute.forwardingRules.insert({ project, region, requestId, forwardingRuleResource: body }))
    return (await api.call('forwardingRules.get', () => api.compute.forwardingRules.get({ project, region, forwardingRule })))[0]
  }
  const found = await api.find('globalForwardingRules.get', () => api.compute.globalForwardingRules.get({ project, forwardingRule }))
  if (found) return found[0]
  await api.mutate('globalForwardingRules.insert', (requestId) => api.compute.globalForwardingRules.insert({ project, requestId, forwardingRuleResource: body }))
  return (await api.call('globalForwardingRules.get', () => api.compute.globalForwardingRules.get({ project, forwardingRule })))[0]
}

/** A reserved address is created once and never moved: what it holds is its IP, read back after the insert. */
export async function ensureAddress(api: GcpApi, body: Address): Promise<Address> {
  const { project, region } = api
  const address = String(body.name)
  const found = await api.find('addresses.get', () => api.compute.addresses.get({ project, region, address }))
  if (found) return found[0]
  await api.mutate('addresses.insert', (requestId) => api.compute.addresses.insert({ project, region, requestId, addressResource: body }))
  return (await api.call('addresses.get', () => api.compute.addresses.get({ project, region, address })))[0]
}

/** Removals, each a no-op when the resource is already gone; true when something was removed. */
export const remove = {
  autoscaler: (api: GcpApi, autoscaler: string) => gone(api, 'regionAutoscalers.delete', (requestId) => api.compute.autoscalers.delete({ project: api.project, region: api.region, autoscaler, requestId })),
  group: (api: GcpApi, instanceGroupManager: string) => gone(api, 'regionInstanceGroupManagers.delete', (requestId) => api.compute.groups.delete({ project: api.project, region: api.region, instanceGroupManager, requestId })),
  template: (api: GcpApi, instanceTemplate: string) => gone(api, 'instanceTemplates.delete', (requestId) => api.compute.instanceTemplates.delete({ project: api.project, instanceTemplate, requestId })),
  healthCheck: (api: GcpApi, healthCheck: string, scope: Scope) => (scope === 'regional'
    ? gone(api, 'regionHealthChecks.delete', (requestId) => api.compute.regionHealthChecks.delete({ project: api.project, region: api.region, healthCheck, requestId }))
    : gone(api, 'healthChecks.delete', (requestId) => api.compute.healthChecks.delete({ project: api.project, healthCheck, requestId }))),
  firewall: (api: GcpApi, firewall: string) => gone(api, 'firewalls.delete', (requestId) => api.compute.firewalls.delete({ project: api.project, firewall, requestId })),
  backendService: (api: GcpApi, backendService: string, scope: Scope) => (scope === 'regional'
    ? gone(api, 'regionBackendServices.delete', (requestId) => api.compute.regionBackendServices.delete({ project: api.project, region: api.region, backendService, requestId }))
    : gone(api, 'backendServices.delete', (requestId) => api.compute.backendServices.delete({ project: api.project, backendService, requestId }))),
  address: (api: GcpApi, address: string) => gone(api, 'addresses.delete', (requestId) => api.compute.addresses.delete({ project: api.project, region: api.region, address, requestId })),
  urlMap: (api: GcpApi, urlMap: string) => gone(api, 'urlMaps.delete', (requestId) => api.compute.urlMaps.delete({ project: api.project, urlMap, requestId })),
  proxy: (api: GcpApi, targetHttpProxy: string) => gone(api, 'targetHttpProxies.delete', (requestId) => api.compute.targetHttpProxies.delete({ project: api.project, targetHttpProxy, requestId })),
  forwardingRule: (api: GcpApi, forwardingRule: string, scope: Scope) => (scope === 'regional'
    ? gone(api, 'forwardingRules.delete', (requestId) => api.compute.forwardingRules.delete({ project: api.project, region: api.region, forwardingRule, requestId }))
    : gone(api, 'globalForwardingRules.delete', (requestId) => api.compute.globalForwardingRules.delete({ project: api.project, forwardingRule, requestId }))),
}
