/**
 * The Compute Engine v1 routes the fake answers: instance templates
 * (immutable), health checks, firewalls, backend services, URL maps, target
 * HTTP proxies, forwarding rules (global and regional), regional autoscalers,
 * regional managed instance groups, instances and disks (derived from the
 * groups), the default network and its subnets, regional addresses (see
 * networks.ts), and operations with `wait`. Fields the real API fills
 * in on create are filled in the same way (checked against recorded traffic).
 */
import { createHash } from 'node:crypto'
import { type ComputeStore, fingerprintOf, withoutEmptyLists, lastSegment, link, type Operation, type OperationFailure, relativeOf, type Resource } from './compute-store.ts'
import { fingerprintMismatch, inUse, invalid, notFound } from './http-errors.ts'
import {
  assertGroupUnused, checkGroupReferences, diskResources, groupView, instanceResource, managedInstances, patchGroup, reconcile,
  stateOf, type GroupContext,
} from './instance-groups.ts'
import { matchesFilter, parseFilter } from './list-filter.ts'
import { addressDefaults, addressUser, addressView, defaultSubnet, defaultSubnetLinks, internalRuleDefaults } from './networks.ts'
import type { FakeRequest, FakeResponse, Router } from './router.ts'

export interface ComputeFaults {
  /** an operation of this type on this target ends in error instead of applying */
  operationFailure(type: string, target: string): OperationFailure | undefined
  unhealthyTemplate(template: string): boolean
}

type Scope = 'global' | 'regions'

interface CollectionSpec {
  collection: string
  scope: Scope
  kind: string
  /** IAM permission prefix, e.g. compute.healthChecks */
  permission: string
  /** how errors name the resource type, e.g. health_check */
  typeName: string
  update?: 'put' | 'patch' | 'both'
  defaults?: (body: Record<string, unknown>, context: ApiContext) => Record<string, unknown>
  validate?: (body: Record<string, unknown>, context: ApiContext) => void
  /** who uses this resource; a delete is refused while someone does */
  usedBy?: (resource: Resource, context: ApiContext) => string | undefined
  fingerprint?: boolean
  /** the operationType an insert reports, where it is not plain "insert" */
  insertType?: string
  /** output fields computed when the resource is read */
  view?: (resource: Resource, context: ApiContext) => Record<string, unknown>
  afterChange?: (resource: Resource, context: ApiContext) => void
}

interface ApiContext extends GroupContext {
  region?: string
  faults: ComputeFaults
}

const PAGE = 500

function scopePath(project: string, scope: Scope, region?: string): string {
  return scope === 'global' ? `projects/${project}/global` : `projects/${project}/regions/${region}`
}

/** A list answer: items filtered and paged as the API does (no items key when empty). */
function listAnswer(kind: string, path: string, items: Record<string, unknown>[], query: URLSearchParams): FakeResponse {
  const terms = parseFilter(query.get('filter') ?? undefined)
  const filtered = items.filter((item) => matchesFilter(item, terms)).sort((a, b) => String(a.name).localeCompare(String(b.name)))
  const size = Math.min(Number(query.get('maxResults') ?? PAGE) || PAGE, PAGE)
  const start = Number(query.get('pageToken') ?? 0) || 0
  const page = filtered.slice(start, start + size)
  const next = start + size < filtered.length ? String(start + size) : undefined
  return { body: { kind, id: path, ...(page.length ? { items: page } : {}), selfLink: link(path), ...(next ? { nextPageToken: next } : {}) } }
}

function operationAnswer(store: ComputeStore, op: Operation): FakeResponse {
  return { body: store.view(op) }
}

const refs = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)])

/** Collections the fake models; references to others (networks but default, backend buckets...) are taken on trust. */
const MODELLED = new Set(['instanceTemplates', 'healthChecks', 'firewalls', 'backendServices', 'urlMaps', 'targetHttpProxies', 'forwardingRules', 'autoscalers', 'instanceGroupManagers', 'addresses'])

function mustExist(context: ApiContext, field: string, references: string[]): void {
  for (const given of references) {
    const relative = relativeOf(given, context.project)
    // a regional group's instance group is named after its manager; zonal unmanaged groups are not modelled
    const reference = /\/regions\/[^/]+\/instanceGroups\//.test(relative) ? relative.replace('/instanceGroups/', '/instanceGroupManagers/') : relative
    const collection = reference.split('/').slice(-2)[0]
    if (!MODELLED.has(collection) && !(collection === 'networks' && lastSegment(reference) === 'default')) continue
    if (!context.store.resolve(reference, context.project)) {
      throw invalid(`Invalid value for field '${field}': '${given}'. The resource '${relative}' was not found`)
    }
  }
}

/** Every resource in the project whose JSON mentions `target` (by any link form) other than itself. */
function referrers(context: ApiContext, target: Resource, collections: string[]): string | undefined {
  const wanted = relativeOf(target.selfLink, context.project)
  for (const [path, items] of context.store.collections) {
    if (!collections.some((collection) => path.endsWith(`/${collection}`))) continue
    for (const item of items.values()) {
      if (item === target) continue
      const mentions = JSON.stringify(item).match(/"(https?:\/\/[^"]+|projects\/[^"]+|global\/[^"]+|regions\/[^"]+)"/g) ?? []
      if (mentions.some((mention) => relativeOf(mention.slice(1, -1), context.project) === wanted)) return relativeOf(item.selfLink, context.project)
    }
  }
  return undefined
}

function nextIp(prefix: string): string {
  return `${prefix}.${Math.floor(Math.random() * 254) + 1}.${Math.floor(Math.random() * 254) + 1}`
}

function normalizeTemplate(body: Record<string, unknown>, context: ApiContext): Record<string, unknown> {
  const properties = { ...((body.properties ?? {}) as Record<string, unknown>) }
  properties.disks = ((properties.disks as Record<string, unknown>[] | undefined) ?? []).map((disk, index) => ({
    deviceName: index === 0 ? 'boot' : `disk-${index}`, index, interface: 'SCSI', kind: 'compute#attachedDisk', mode: 'READ_WRITE', type: 'PERSISTENT', ...disk,
  }))
  const metadata = (properties.metadata ?? {}) as Record<string, unknown>
  properties.metadata = { ...metadata, fingerprint: fingerprintOf(metadata), kind: 'compute#metadata' }
  properties.networkInterfaces = ((properties.networkInterfaces as Record<string, unknown>[] | undefined) ?? []).map((nic, index) => ({
    kind: 'compute#networkInterface', name: `nic${index}`, ...nic,
    ...(nic.accessConfigs ? { accessConfigs: (nic.accessConfigs as Record<string, unknown>[]).map((config) => ({ kind: 'compute#accessConfig', ...config })) } : {}),
  }))
  properties.scheduling = { automaticRestart: true, onHostMaintenance: 'MIGRATE', preemptible: false, ...((properties.scheduling ?? {}) as object) }
  properties.tags ??= {}
  mustExist(context, 'resource.properties.networkInterfaces[0].network',
    (properties.networkInterfaces as { network?: string }[]).map((nic) => nic.network).filter((network): network is string => Boolean(network)))
  return { ...body, properties }
}

function healthCheckDefaults(body: Record<string, unknown>, context: ApiContext): Record<string, unknown> {
  const http = body.httpHealthCheck ? { proxyHeader: 'NONE', port: 80, ...(body.httpHealthCheck as object) } : undefined
  return {
    checkIntervalSec: 5, timeoutSec: 5, healthyThreshold: 2, unhealthyThreshold: 2, ...body,
    ...(http ? { httpHealthCheck: http } : {}),
    ...(context.region ? { region: link(`projects/${context.project}/regions/${context.region}`) } : {}),
  }
}

function firewallDefaults(body: Record<string, unknown>, context: ApiContext): Record<string, unknown> {
  const direction = body.direction ?? 'INGRESS'
  const network = link(relativeOf(String(body.network ?? 'global/networks/default'), context.project))
  const hasSource = ['sourceRanges', 'sourceTags', 'sourceServiceAccounts'].some((key) => (body[key] as unknown[] | undefined)?.length)
  return {
    description: '', direction, disabled: false, enableLogging: false, logConfig: { enable: false }, priority: 1000, ...body, network,
    ...(direction === 'INGRESS' && !hasSource ? { sourceRanges: ['0.0.0.0/0'] } : {}),
  }
}

function backendServiceDefaults(body: Record<string, unknown>, context: ApiContext): Record<string, unknown> {
  // the API keeps only a hash of an IAP client secret
  const iap = body.iap as Record<string, unknown> | undefined
  if (iap && 'oauth2ClientSecret' in iap) {
    const { oauth2ClientSecret: secret, ...rest } = iap
    body = { ...body, iap: { ...rest, oauth2ClientSecretSha256: createHash('sha256').update(String(secret)).digest('hex') } }
  }
  if (body.loadBalancingScheme === 'INTERNAL') {
    // an internal passthrough balancer's backend service: TCP or UDP, no named port, in a network
    return {
      affinityCookieTtlSec: 0, connectionDraining: { drainingTimeoutSec: 300 }, description: '', protocol: 'TCP', sessionAffinity: 'NONE', timeoutSec: 30, ...body,
      network: link(relativeOf(String(body.network ?? 'global/networks/default'), context.project)),
      ...(context.region ? { region: link(`projects/${context.project}/regions/${context.region}`) } : {}),
    }
  }
  return {
    affinityCookieTtlSec: 0, connectionDraining: { drainingTimeoutSec: 300 }, description: '', enableCDN: false,
    loadBalancingScheme: 'EXTERNAL', port: 80, portName: 'http', protocol: 'HTTP', sessionAffinity: 'NONE', timeoutSec: 30, ...body,
    ...(context.region ? { region: link(`projects/${context.project}/regions/${context.region}`) } : {}),
  }
}

function urlMapServices(body: Record<string, unknown>): string[] {
  const services = refs(body.defaultService)
  for (const matcher of (body.pathMatchers as Record<string, unknown>[] | undefined) ?? []) {
    services.push(...refs(matcher.defaultService))
    for (const rule of (matcher.pathRules as Record<string, unknown>[] | undefined) ?? []) services.push(...refs(rule.service))
    for (const rule of (matcher.routeRules as Record<string, unknown>[] | undefined) ?? []) services.push(...refs(rule.service))
  }
  return services
}

function forwardingRuleDefaults(body: Record<string, unknown>, context: ApiContext): Record<string, unknown> {
  if (body.loadBalancingScheme === 'INTERNAL') {
    if (!context.region) throw invalid("Invalid value for field 'resource.loadBalancingScheme': 'INTERNAL'. A global forwarding rule cannot be INTERNAL.")
    return internalRuleDefaults(body, context)
  }
  const range = typeof body.portRange === 'string' && !body.portRange.includes('-') ? `${body.portRange}-${body.portRange}` : body.portRange
  return {
    IPProtocol: 'TCP', loadBalancingScheme: 'EXTERNAL', networkTier: 'PREMIUM', labelFingerprint: '42WmSpB8rSM=',
    ...body,
    IPAddress: body.IPAddress ?? nextIp(context.region ? '35.205' : '34.120'),
    ...(range ? { portRange: range } : {}),
    ...(context.region ? { region: link(`projects/${context.project}/regions/${context.region}`) } : {}),
  }
}

/** A backend service lists what uses it, as the API does. */
function usedByView(collections: string[]) {
  return (resource: Resource, context: ApiContext): Record<string, unknown> => {
    const wanted = relativeOf(resource.selfLink, context.project)
    const users: { reference: string }[] = []
    for (const [path, items] of context.store.collections) {
      if (!collections.some((collection) => path.endsWith(`/${collection}`))) continue
      for (const item of items.values()) {
        const mentions = JSON.stringify(item).match(/"(https?:\/\/[^"]+|projects\/[^"]+|global\/[^"]+)"/g) ?? []
        if (mentions.some((mention) => relativeOf(mention.slice(1, -1), context.project) === wanted)) users.push({ reference: item.selfLink })
      }
    }
    return users.length ? { usedBy: users } : {}
  }
}

const COLLECTIONS: CollectionSpec[] = [
  {
    collection: 'instanceTemplates', scope: 'global', kind: 'compute#instanceTemplate', permission: 'compute.instanceTemplates', typeName: 'instance_template',
    defaults: normalizeTemplate, insertType: 'compute.instanceTemplates.insert',
    usedBy: (resource, context) => {
      const wanted = relativeOf(resource.selfLink, context.project)
      for (const [path, items] of context.store.collections) {
        if (!path.endsWith('/instanceGroupManagers')) continue
        for (const group of items.values()) {
          const uses = stateOf(group).instances.some((instance) => instance.template === wanted)
            || refs(group.instanceTemplate).some((ref) => relativeOf(ref, context.project) === wanted)
            || ((group.versions as { instanceTemplate: string }[] | undefined) ?? []).some((version) => relativeOf(version.instanceTemplate, context.project) === wanted)
          if (uses) return relativeOf(group.selfLink, context.project)
        }
      }
      return undefined
    },
  },
  {
    collection: 'healthChecks', scope: 'global', kind: 'compute#healthCheck', permission: 'compute.healthChecks', typeName: 'health_check', update: 'both',
    defaults: healthCheckDefaults,
    usedBy: (resource, context) => referrers(context, resource, ['backendServices', 'instanceGroupManagers']),
  },
  {
    collection: 'healthChecks', scope: 'regions', kind: 'compute#healthCheck', permission: 'compute.regionHealthChecks', typeName: 'health_check', update: 'both',
    defaults: healthCheckDefaults,
    usedBy: (resource, context) => referrers(context, resource, ['backendServices', 'instanceGroupManagers']),
  },
  {
    collection: 'firewalls', scope: 'global', kind: 'compute#firewall', permission: 'compute.firewalls', typeName: 'firewall', update: 'both',
    defaults: firewallDefaults,
    validate: (body, context) => mustExist(context, 'resource.network', refs(body.network)),
  },
  {
    collection: 'backendServices', scope: 'global', kind: 'compute#backendService', permission: 'compute.backendServices', typeName: 'backend_service', update: 'both', fingerprint: true,
    defaults: backendServiceDefaults, view: usedByView(['urlMaps']),
    validate: (body, context) => {
      mustExist(context, 'resource.healthChecks', refs(body.healthChecks))
      mustExist(context, 'resource.backends[].group', ((body.backends as { group: string }[] | undefined) ?? []).map((backend) => backend.group))
    },
    usedBy: (resource, context) => referrers(context, resource, ['urlMaps']),
  },
  {
    collection: 'backendServices', scope: 'regions', kind: 'compute#backendService', permission: 'compute.regionBackendServices', typeName: 'backend_service', update: 'both', fingerprint: true,
    defaults: backendServiceDefaults, view: usedByView(['forwardingRules']),
    validate: (body, context) => {
      mustExist(context, 'resource.healthChecks', refs(body.healthChecks))
      mustExist(context, 'resource.backends[].group', ((body.backends as { group: string }[] | undefined) ?? []).map((backend) => backend.group))
      if (body.loadBalancingScheme === 'INTERNAL') checkInternalBackendService(body)
    },
    usedBy: (resource, context) => referrers(context, resource, ['forwardingRules']),
  },
  {
    collection: 'urlMaps', scope: 'global', kind: 'compute#urlMap', permission: 'compute.urlMaps', typeName: 'url_map', update: 'both', fingerprint: true,
    defaults: (body, context) => ({ ...body, status: { quotaUsage: { forwardingRules: 0, units: String(10 + 8 * urlMapServices(body).length + context.project.length) } } }),
    validate: (body, context) => mustExist(context, 'resource.defaultService', urlMapServices(body)),
    usedBy: (resource, context) => referrers(context, resource, ['targetHttpProxies']),
  },
  {
    collection: 'targetHttpProxies', scope: 'global', kind: 'compute#targetHttpProxy', permission: 'compute.targetHttpProxies', typeName: 'target_http_proxy', fingerprint: true,
    validate: (body, context) => mustExist(context, 'resource.urlMap', refs(body.urlMap)),
    usedBy: (resource, context) => referrers(context, resource, ['forwardingRules']),
  },
  {
    collection: 'forwardingRules', scope: 'global', kind: 'compute#forwardingRule', permission: 'compute.globalForwardingRules', typeName: 'forwarding_rule', fingerprint: true,
    defaults: forwardingRuleDefaults,
    validate: (body, context) => mustExist(context, 'resource.target', refs(body.target)),
  },
  {
    collection: 'forwardingRules', scope: 'regions', kind: 'compute#forwardingRule', permission: 'compute.forwardingRules', typeName: 'forwarding_rule', fingerprint: true,
    defaults: forwardingRuleDefaults,
    validate: (body, context) => {
      mustExist(context, 'resource.backendService', [...refs(body.backendService), ...refs(body.target)])
      // a passthrough rule and its backend service are of one scheme
      const backend = body.backendService === undefined ? undefined : context.store.resolve(String(body.backendService), context.project)
      const scheme = String(body.loadBalancingScheme ?? 'EXTERNAL')
      if (backend && String(backend.loadBalancingScheme) !== scheme) {
        throw invalid(`Invalid value for field 'resource.backendService': '${String(body.backendService)}'. The load balancing scheme of the backend service (${String(backend.loadBalancingScheme)}) does not match the forwarding rule's (${scheme}).`)
      }
    },
  },
  {
    collection: 'addresses', scope: 'regions', kind: 'compute#address', permission: 'compute.addresses', typeName: 'address',
    defaults: addressDefaults, view: addressView, usedBy: addressUser,
  },
  {
    collection: 'autoscalers', scope: 'regions', kind: 'compute#autoscaler', permission: 'compute.autoscalers', typeName: 'autoscaler', update: 'both',
    defaults: (body, context) => {
      const policy: Record<string, unknown> = { coolDownPeriodSec: 60, mode: 'ON', ...((body.autoscalingPolicy ?? {}) as Record<string, unknown>) }
      const signals = ['cpuUtilization', 'loadBalancingUtilization', 'customMetricUtilizations']
      if (!signals.some((key) => policy[key] !== undefined)) policy.cpuUtilization = { utilizationTarget: 0.6, predictiveMethod: 'NONE' }
      if (policy.cpuUtilization) policy.cpuUtilization = { predictiveMethod: 'NONE', ...(policy.cpuUtilization as object) }
      return { ...body, autoscalingPolicy: policy, status: 'ACTIVE', region: link(`projects/${context.project}/regions/${context.region}`) }
    },
    validate: (body, context) => {
      mustExist(context, 'resource.target', refs(body.target))
      const policy = (body.autoscalingPolicy ?? {}) as { minNumReplicas?: number; maxNumReplicas?: number }
      if (policy.maxNumReplicas === undefined) throw invalid("Invalid value for field 'resource.autoscalingPolicy.maxNumReplicas': '0'. Must be positive.")
      if ((policy.minNumReplicas ?? 0) > policy.maxNumReplicas) throw invalid("Invalid value for field 'resource.autoscalingPolicy.minNumReplicas': must not be greater than maxNumReplicas.")
    },
    afterChange: (autoscaler, context) => {
      const group = context.store.resolve(String(autoscaler.target), context.project)
      const policy = autoscaler.autoscalingPolicy as { minNumReplicas?: number; maxNumReplicas: number; mode?: string }
      if (!group || policy.mode === 'OFF') return
      const size = Number(group.targetSize ?? 0)
      group.targetSize = Math.min(policy.maxNumReplicas, Math.max(policy.minNumReplicas ?? 1, size))
    },
  },
]

/** What Compute Engine refuses in an INTERNAL backend service. */
function checkInternalBackendService(body: Record<string, unknown>): void {
  if (!['TCP', 'UDP', 'UNSPECIFIED'].includes(String(body.protocol ?? 'TCP'))) {
    throw invalid(`Invalid value for field 'resource.protocol': '${String(body.protocol)}'. An INTERNAL backend service takes TCP, UDP or UNSPECIFIED.`)
  }
  if (refs(body.healthChecks).length !== 1) throw invalid("Invalid value for field 'resource.healthChecks': an INTERNAL backend service needs exactly one health check.")
  for (const [index, backend] of ((body.backends as { balancingMode?: string }[] | undefined) ?? []).entries()) {
    if ((backend.balancingMode ?? 'CONNECTION') !== 'CONNECTION') {
      throw invalid(`Invalid value for field 'resource.backends[${index}].balancingMode': '${backend.balancingMode}'. Balancing mode must be CONNECTION for an INTERNAL backend service.`)
    }
  }
}

function specPermission(spec: CollectionSpec, verb: string): string {
  return `${spec.permission}.${verb}`
}

function contextFor(base: Omit<ApiContext, 'project' | 'region'>, params: Record<string, string>): ApiContext {
  return { ...base, project: params.project, region: params.region }
}

/** Registers the generic collections, the groups, instances, disks and operations. */
export function addComputeRoutes(router: Router, base: Omit<ApiContext, 'project' | 'region'>): void {
  const { store } = base
  const prefix = '/compute/v1/projects/:project'
  const add = (method: string, pattern: string, permission: string | ((params: Record<string, string>) => string), handle: (request: FakeRequest, context: ApiContext) => FakeResponse | Promise<FakeResponse>) => {
    router.add({ method, pattern: `${prefix}${pattern}`, permission, api: 'compute', domain: 'compute.googleapis.com', handle: (request) => handle(request, contextFor(base, request.params)) })
  }

  for (const spec of COLLECTIONS) {
    const where = spec.scope === 'global' ? '/global' : '/regions/:region'
    const path = (context: ApiContext) => `${scopePath(context.project, spec.scope, context.region)}/${spec.collection}`
    const create = (request: FakeRequest, context: ApiContext): FakeResponse => {
      spec.validate?.(request.body, context)
      const body = spec.defaults ? spec.defaults(request.body, context) : request.body
      const resource = store.prepare(path(context), spec.kind, body)
      if (spec.fingerprint) resource.fingerprint = fingerprintOf(resource)
      const op = store.operation({
        scope: scopePath(context.project, spec.scope, context.region), type: spec.insertType ?? 'insert', target: resource, requestId: request.query.get('requestId') ?? undefined,
        failure: base.faults.operationFailure('insert', resource.name),
        apply: () => { store.put(path(context), resource); spec.afterChange?.(resource, context) },
      })
      return operationAnswer(store, op)
    }
    const change = (kind: 'put' | 'patch') => (request: FakeRequest, context: ApiContext, name: string): FakeResponse => {
      const current = store.get(path(context), name)
      if (spec.fingerprint && kind === 'put' && request.body.fingerprint === undefined) {
        throw invalid("Required field 'resource.fingerprint' not specified")
      }
      if (spec.fingerprint && request.body.fingerprint !== undefined && request.body.fingerprint !== current.fingerprint) {
        throw fingerprintMismatch()
      }
      spec.validate?.({ ...(kind === 'patch' ? current : {}), ...request.body }, context)
      const replacement = kind === 'put' ? (spec.defaults ? spec.defaults(request.body, context) : request.body) : { ...current, ...request.body }
      const op = store.operation({
        scope: scopePath(context.project, spec.scope, context.region), type: kind === 'put' ? 'update' : 'patch', target: current,
        requestId: request.query.get('requestId') ?? undefined, failure: base.faults.operationFailure(kind === 'put' ? 'update' : 'patch', name),
        apply: () => {
          const { kind: _k, id: _i, selfLink: _s, creationTimestamp: _c, name: _n, ...fields } = replacement as Resource
          for (const key of Object.keys(current)) if (!['kind', 'id', 'selfLink', 'creationTimestamp', 'name'].includes(key) && kind === 'put') delete current[key]
          Object.assign(current, fields)
          withoutEmptyLists(current)
          if (spec.fingerprint) current.fingerprint = fingerprintOf(current)
          spec.afterChange?.(current, context)
        },
      })
      return operationAnswer(store, op)
    }
    const remove = (request: FakeRequest, context: ApiContext, name: string): FakeResponse => {
      const current = store.get(path(context), name)
      const user = spec.usedBy?.(current, context)
      if (user) throw inUse(spec.typeName, relativeOf(current.selfLink, context.project), user)
      const op = store.operation({
        scope: scopePath(context.project, spec.scope, context.region), type: 'delete', target: current,
        requestId: request.query.get('requestId') ?? undefined, failure: base.faults.operationFailure('delete', name),
        apply: () => store.remove(path(context), name),
      })
      return operationAnswer(store, op)
    }

    add('POST', `${where}/${spec.collection}`, specPermission(spec, 'create'), create)
    const shown = (resource: Resource, context: ApiContext) => (spec.view ? { ...resource, ...spec.view(resource, context) } : resource)
    add('GET', `${where}/${spec.collection}`, specPermission(spec, 'list'), (request, context) =>
      listAnswer(`${spec.kind}List`, path(context), [...store.collection(path(context)).values()].map((resource) => shown(resource, context)), request.query))
    if (spec.collection === 'autoscalers') {
      // autoscalers are updated by name in the query: PUT/PATCH regions/R/autoscalers?autoscaler=NAME
      add('PUT', `${where}/autoscalers`, specPermission(spec, 'update'), (request, context) => change('put')(request, context, request.query.get('autoscaler') ?? String(request.body.name)))
      add('PATCH', `${where}/autoscalers`, specPermission(spec, 'update'), (request, context) => change('patch')(request, context, request.query.get('autoscaler') ?? String(request.body.name)))
    }
    add('GET', `${where}/${spec.collection}/:name`, specPermission(spec, 'get'), (request, context) => ({ body: shown(store.get(path(context), request.params.name), context) }))
    if (spec.update === 'put' || spec.update === 'both') add('PUT', `${where}/${spec.collection}/:name`, specPermission(spec, 'update'), (request, context) => change('put')(request, context, request.params.name))
    if (spec.update === 'patch' || spec.update === 'both') add('PATCH', `${where}/${spec.collection}/:name`, specPermission(spec, 'update'), (request, context) => change('patch')(request, context, request.params.name))
    add('DELETE', `${where}/${spec.collection}/:name`, specPermission(spec, 'delete'), (request, context) => remove(request, context, request.params.name))
  }

  // target HTTP proxies change their URL map through setUrlMap (a path without /global)
  add('POST', '/targetHttpProxies/:name/setUrlMap', 'compute.targetHttpProxies.setUrlMap', (request, context) => {
    const path = `projects/${context.project}/global/targetHttpProxies`
    const proxy = store.get(path, request.params.name)
    mustExist(context, 'urlMap', refs(request.body.urlMap))
    const op = store.operation({
      scope: `projects/${context.project}/global`, type: 'SetUrlMap', target: proxy, requestId: request.query.get('requestId') ?? undefined,
      failure: base.faults.operationFailure('SetUrlMap', proxy.name),
      apply: () => { proxy.urlMap = link(relativeOf(String(request.body.urlMap), context.project)); proxy.fingerprint = fingerprintOf(proxy) },
    })
    return operationAnswer(store, op)
  })

  add('POST', '/global/backendServices/:name/getHealth', 'compute.backendServices.get', (request, context) => {
    store.get(`projects/${context.project}/global/backendServices`, request.params.name)
    const manager = findGroupByInstanceGroup(store, context.project, String(request.body.group))
    if (!manager) throw invalid(`Invalid value for field 'resource.group': '${String(request.body.group)}'.`)
    const region = lastSegment(String(manager.region))
    const healthStatus = managedInstances(context, manager, region).map((managed) => ({
      instance: managed.instance, ipAddress: '10.132.0.2', port: 80,
      healthState: ((managed.instanceHealth as { detailedHealthState: string }[] | undefined)?.[0]?.detailedHealthState === 'HEALTHY') ? 'HEALTHY' : 'UNHEALTHY',
    }))
    return { body: { kind: 'compute#backendServiceGroupHealth', ...(healthStatus.length ? { healthStatus } : {}) } }
  })

  addGroupRoutes(add, base)

  // networks: the default network exists; others are not modelled
  add('GET', '/global/networks/:name', 'compute.networks.get', (request, context) => {
    const network = store.get(`projects/${context.project}/global/networks`, request.params.name)
    return { body: network.name === 'default' && network.autoCreateSubnetworks ? { ...network, subnetworks: defaultSubnetLinks(context.project) } : network }
  })
  add('GET', '/regions/:region/subnetworks/:name', 'compute.subnetworks.get', (request, context) => {
    const subnet = request.params.name === 'default' ? defaultSubnet(context.project, context.region!) : undefined
    if (!subnet) throw notFound(`projects/${context.project}/regions/${context.region}/subnetworks/${request.params.name}`)
    return { body: subnet }
  })

  addInstanceRoutes(add, base)
  addOperationRoutes(add, store)
}

function findGroupByInstanceGroup(store: ComputeStore, project: string, instanceGroupLink: string): Resource | undefined {
  const wanted = relativeOf(instanceGroupLink, project)
  for (const [path, items] of store.collections) {
    if (!path.endsWith('/instanceGroupManagers')) continue
    for (const group of items.values()) if (relativeOf(String(group.instanceGroup), project) === wanted) return group
  }
  return undefined
}

type Add = (method: string, pattern: string, permission: string, handle: (request: FakeRequest, context: ApiContext) => FakeResponse | Promise<FakeResponse>) => void

function addGroupRoutes(add: Add, base: Omit<ApiContext, 'project' | 'region'>): void {
  const { store } = base
  const path = (context: ApiContext) => `projects/${context.project}/regions/${context.region}/instanceGroupManagers`
  const scope = (context: ApiContext) => `projects/${context.project}/regions/${context.region}`
  const mutate = (request: FakeRequest, context: ApiContext, group: Resource, type: string, apply: () => void) => operationAnswer(store, store.operation({
    scope: scope(context), type, target: group, requestId: request.query.get('requestId') ?? undefined,
    failure: base.faults.operationFailure(type, group.name),
    apply: () => { apply(); reconcile(context, group, context.region!) },
  }))

  add('POST', '/regions/:region/instanceGroupManagers', 'compute.instanceGroupManagers.create', (request, context) => {
    checkGroupReferences(context, request.body)
    const distribution = request.body.distributionPolicy as { zones?: { zone: string }[]; targetShape?: string } | undefined
    const group = store.prepare(path(context), 'compute#instanceGroupManager', {
      baseInstanceName: request.body.name, targetSize: 0, ...request.body,
      region: link(scope(context)),
      instanceGroup: link(`${scope(context)}/instanceGroups/${String(request.body.name)}`),
      ...(distribution ? {
        distributionPolicy: {
          targetShape: distribution.targetShape ?? 'EVEN',
          zones: (distribution.zones ?? []).map((entry) => ({ zone: link(`projects/${context.project}/zones/${lastSegment(entry.zone)}`) })),
        },
      } : {}),
    })
    group.fingerprint = fingerprintOf(group)
    return mutate(request, context, group, 'insert', () => store.put(path(context), group))
  })
  add('GET', '/regions/:region/instanceGroupManagers', 'compute.instanceGroupManagers.list', (request, context) => {
    const groups = [...store.collection(path(context)).values()].map((group) => groupView(context, group, context.region!))
    return listAnswer('compute#regionInstanceGroupManagerList', path(context), groups, request.query)
  })
  add('GET', '/regions/:region/instanceGroupManagers/:name', 'compute.instanceGroupManagers.get', (request, context) =>
    ({ body: groupView(context, store.get(path(context), request.params.name), context.region!) }))
  add('PATCH', '/regions/:region/instanceGroupManagers/:name', 'compute.instanceGroupManagers.update', (request, context) => {
    const group = store.get(path(context), request.params.name)
    if (request.body.fingerprint !== undefined && request.body.fingerprint !== group.fingerprint) throw fingerprintMismatch()
    checkGroupReferences(context, request.body)
    return mutate(request, context, group, 'patch', () => patchGroup(context, group, request.body))
  })
  add('POST', '/regions/:region/instanceGroupManagers/:name/resize', 'compute.instanceGroupManagers.update', (request, context) => {
    const group = store.get(path(context), request.params.name)
    const size = Number(request.query.get('size'))
    if (!Number.isInteger(size) || size < 0) throw invalid(`Invalid value for field 'size': '${request.query.get('size')}'. Must be greater than or equal to 0.`)
    return mutate(request, context, group, 'compute.instanceGroupManagers.resize', () => { group.targetSize = size })
  })
  add('POST', '/regions/:region/instanceGroupManagers/:name/setInstanceTemplate', 'compute.instanceGroupManagers.update', (request, context) => {
    const group = store.get(path(context), request.params.name)
    checkGroupReferences(context, { instanceTemplate: request.body.instanceTemplate })
    return mutate(request, context, group, 'compute.instanceGroupManagers.setInstanceTemplate', () => {
      group.instanceTemplate = request.body.instanceTemplate
      delete group.versions
      group.fingerprint = fingerprintOf(group)
    })
  })
  add('POST', '/regions/:region/instanceGroupManagers/:name/listManagedInstances', 'compute.instanceGroupManagers.get', (request, context) => {
    const group = store.get(path(context), request.params.name)
    const all = managedInstances(context, group, context.region!)
    const size = Math.min(Number(request.query.get('maxResults') ?? PAGE) || PAGE, PAGE)
    const start = Number(request.query.get('pageToken') ?? 0) || 0
    const next = start + size < all.length ? String(start + size) : undefined
    return { body: { ...(all.length ? { managedInstances: all.slice(start, start + size) } : {}), ...(next ? { nextPageToken: next } : {}) } }
  })
  // every regional group has its instance group, which lists and counts its members
  const instanceGroupOf = (context: ApiContext, group: Resource): Record<string, unknown> => {
    const template = store.resolve(String(group.instanceTemplate ?? (group.versions as { instanceTemplate: string }[] | undefined)?.[0]?.instanceTemplate ?? ''), context.project)
    const nic = ((template?.properties as { networkInterfaces?: { network?: string }[] } | undefined)?.networkInterfaces ?? [])[0]
    return {
      kind: 'compute#instanceGroup', id: group.id, name: group.name, creationTimestamp: group.creationTimestamp, fingerprint: group.fingerprint,
      ...(group.namedPorts ? { namedPorts: group.namedPorts } : {}),
      network: link(relativeOf(String(nic?.network ?? 'global/networks/default'), context.project)),
      region: link(scope(context)), selfLink: String(group.instanceGroup),
      size: stateOf(group).instances.filter((instance) => instance.deletingAt === undefined).length,
    }
  }
  add('GET', '/regions/:region/instanceGroups', 'compute.instanceGroups.list', (request, context) =>
    listAnswer('compute#regionInstanceGroupList', `${scope(context)}/instanceGroups`, [...store.collection(path(context)).values()].map((group) => instanceGroupOf(context, group)), request.query))
  add('GET', '/regions/:region/instanceGroups/:name', 'compute.instanceGroups.get', (request, context) =>
    ({ body: instanceGroupOf(context, store.get(path(context), request.params.name)) }))
  add('DELETE', '/regions/:region/instanceGroupManagers/:name', 'compute.instanceGroupManagers.delete', (request, context) => {
    const group = store.get(path(context), request.params.name)
    assertGroupUnused(context, group)
    return mutate(request, context, group, 'delete', () => {
      stateOf(group).instances = []
      store.remove(path(context), group.name)
    })
  })
}

/** Every managed instance in the project, with its group, for instance and disk listings. */
function allManaged(base: Omit<ApiContext, 'project' | 'region'>, project: string) {
  const found: { group: Resource; region: string; instance: ReturnType<typeof stateOf>['instances'][number] }[] = []
  for (const [path, items] of base.store.collections) {
    const match = new RegExp(`^projects/${project}/regions/([^/]+)/instanceGroupManagers$`).exec(path)
    if (!match) continue
    for (const group of items.values()) {
      reconcile({ ...base, project }, group, match[1])
      for (const instance of stateOf(group).instances) found.push({ group, region: match[1], instance })
    }
  }
  return found
}

function aggregated(kind: string, key: string, project: string, byScope: Map<string, Record<string, unknown>[]>, query: URLSearchParams): FakeResponse {
  const terms = parseFilter(query.get('filter') ?? undefined)
  const flat = [...byScope.entries()].flatMap(([scope, items]) => items.filter((item) => matchesFilter(item, terms)).map((item) => ({ scope, item })))
  flat.sort((a, b) => a.scope.localeCompare(b.scope) || String(a.item.name).localeCompare(String(b.item.name)))
  const size = Math.min(Number(query.get('maxResults') ?? PAGE) || PAGE, PAGE)
  const start = Number(query.get('pageToken') ?? 0) || 0
  const page = flat.slice(start, start + size)
  const items: Record<string, Record<string, unknown>> = {}
  for (const { scope, item } of page) {
    items[scope] ??= { [key]: [] }
    ;(items[scope][key] as unknown[]).push(item)
  }
  const next = start + size < flat.length ? String(start + size) : undefined
  return { body: { kind, id: `projects/${project}/aggregated/${key}`, items, selfLink: link(`projects/${project}/aggregated/${key}`), ...(next ? { nextPageToken: next } : {}) } }
}

function addInstanceRoutes(add: Add, base: Omit<ApiContext, 'project' | 'region'>): void {
  const instancesByZone = (project: string) => {
    const byZone = new Map<string, Record<string, unknown>[]>()
    for (const { group, instance } of allManaged(base, project)) {
      const list = byZone.get(`zones/${instance.zone}`) ?? []
      list.push(instanceResource({ ...base, project }, group, instance))
      byZone.set(`zones/${instance.zone}`, list)
    }
    return byZone
  }
  const disksByZone = (project: string) => {
    const byZone = new Map<string, Record<string, unknown>[]>()
    for (const { instance } of allManaged(base, project)) {
      if (instance.deletingAt !== undefined) continue
      const list = byZone.get(`zones/${instance.zone}`) ?? []
      list.push(...diskResources({ ...base, project }, instance))
      byZone.set(`zones/${instance.zone}`, list)
    }
    return byZone
  }
  add('GET', '/zones/:zone/instances', 'compute.instances.list', (request, context) =>
    listAnswer('compute#instanceList', `projects/${context.project}/zones/${request.params.zone}/instances`, instancesByZone(context.project).get(`zones/${request.params.zone}`) ?? [], request.query))
  add('GET', '/aggregated/instances', 'compute.instances.list', (request, context) =>
    aggregated('compute#instanceAggregatedList', 'instances', context.project, instancesByZone(context.project), request.query))
  add('GET', '/zones/:zone/instances/:name', 'compute.instances.get', (request, context) => {
    const found = (instancesByZone(context.project).get(`zones/${request.params.zone}`) ?? []).find((instance) => instance.name === request.params.name)
    if (!found) throw notFound(`projects/${context.project}/zones/${request.params.zone}/instances/${request.params.name}`)
    return { body: found }
  })
  add('GET', '/zones/:zone/disks', 'compute.disks.list', (request, context) =>
    listAnswer('compute#diskList', `projects/${context.project}/zones/${request.params.zone}/disks`, disksByZone(context.project).get(`zones/${request.params.zone}`) ?? [], request.query))
  add('GET', '/zones/:zone/disks/:name', 'compute.disks.get', (request, context) => {
    const found = (disksByZone(context.project).get(`zones/${request.params.zone}`) ?? []).find((disk) => disk.name === request.params.name)
    if (!found) throw notFound(`projects/${context.project}/zones/${request.params.zone}/disks/${request.params.name}`)
    return { body: found }
  })
  add('GET', '/aggregated/disks', 'compute.disks.list', (request, context) =>
    aggregated('compute#diskAggregatedList', 'disks', context.project, disksByZone(context.project), request.query))
  add('GET', '/aggregated/instanceGroupManagers', 'compute.instanceGroupManagers.list', (request, context) => {
    const byScope = new Map<string, Record<string, unknown>[]>()
    for (const [path, items] of base.store.collections) {
      const match = new RegExp(`^projects/${context.project}/regions/([^/]+)/instanceGroupManagers$`).exec(path)
      if (!match) continue
      byScope.set(`regions/${match[1]}`, [...items.values()].map((group) => groupView(context, group, match[1])))
    }
    return aggregated('compute#instanceGroupManagerAggregatedList', 'instanceGroupManagers', context.project, byScope, request.query)
  })
}

function addOperationRoutes(add: Add, store: ComputeStore): void {
  const waitFor = async (scope: string, name: string): Promise<FakeResponse> => {
    const op = store.getOperation(scope, name)
    const until = Date.now() + store.timing.waitCapMs
    while (store.view(op).status !== 'DONE' && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(op.doneAt, until) - Date.now())))
    }
    return { body: store.view(op) }
  }
  for (const [where, permission] of [['/global', 'compute.globalOperations.get'], ['/regions/:region', 'compute.regionOperations.get'], ['/zones/:zone', 'compute.zoneOperations.get']] as const) {
    const scopeOf = (request: FakeRequest) => `projects/${request.params.project}${where.replace(':region', request.params.region ?? '').replace(':zone', request.params.zone ?? '')}`
    add('GET', `${where}/operations/:name`, permission, (request) => ({ body: store.view(store.getOperation(scopeOf(request), request.params.name)) }))
    add('POST', `${where}/operations/:name/wait`, permission, (request) => waitFor(scopeOf(request), request.params.name))
  }
}
