/**
 * Microsoft.Resources: the subscription, resource provider registration,
 * resource groups (deleted as a long-running operation that takes every
 * resource inside with it) and the generic resource listing with tag,
 * type and name filters. Also the simple container registry resource that
 * role assignments for image pulls are scoped to.
 */
import { armError, badRequest, clone, isObject, notFound, ok, page, type FakeResponse } from './http.ts'
import { pollLocationOperation, startLocationOperation } from './lro.ts'
import { envelope, listOfType, requireGroup, requireLocation, resourceIdOf, validateTags, type Ctx } from './routing.ts'
import type { ArmResource, FakeState } from './state.ts'

export const NAMESPACES = [
  'Microsoft.Compute', 'Microsoft.Network', 'Microsoft.Insights', 'Microsoft.KeyVault', 'Microsoft.CostManagement',
  'Microsoft.Authorization', 'Microsoft.Resources', 'Microsoft.ContainerRegistry', 'Microsoft.ManagedIdentity',
]

export function registrationState(state: FakeState, namespace: string): 'Registered' | 'NotRegistered' {
  return state.hasFault('unregistered', (fault) => fault.namespace?.toLowerCase() === namespace.toLowerCase()) ? 'NotRegistered' : 'Registered'
}

function providerView(state: FakeState, subscription: string, namespace: string) {
  return { id: `/subscriptions/${subscription}/providers/${namespace}`, namespace, registrationState: registrationState(state, namespace), registrationPolicy: 'RegistrationRequired', resourceTypes: [] }
}

/** $filter as ARM takes it: tagName/tagValue, resourceType and name equality joined by "and". */
export function filterResources(resources: ArmResource[], filter: string | null): ArmResource[] | FakeResponse {
  if (!filter) return resources
  const clauses = filter.split(/\s+and\s+/i)
  const wanted: Record<string, string> = {}
  for (const clause of clauses) {
    const match = /^\s*(tagName|tagValue|resourceType|name)\s+eq\s+'([^']*)'\s*$/i.exec(clause)
    if (!match) return badRequest(`Invalid $filter clause: ${clause}.`, 'InvalidFilterInQueryString')
    wanted[match[1].toLowerCase()] = match[2]
  }
  if (wanted.tagvalue !== undefined && wanted.tagname === undefined) return badRequest('tagValue needs tagName in the same $filter.', 'InvalidFilterInQueryString')
  return resources.filter((resource) => {
    if (wanted.resourcetype && resource.type.toLowerCase() !== wanted.resourcetype.toLowerCase()) return false
    if (wanted.name && resource.name.toLowerCase() !== wanted.name.toLowerCase()) return false
    if (wanted.tagname !== undefined) {
      const entry = Object.entries(resource.tags ?? {}).find(([key]) => key.toLowerCase() === wanted.tagname.toLowerCase())
      if (!entry) return false
      if (wanted.tagvalue !== undefined && entry[1] !== wanted.tagvalue) return false
    }
    return true
  })
}

/** Top-level tracked resources (not groups, not sub-resources like secrets or role assignments) under a prefix. */
function trackedResources(state: FakeState, prefix: string): ArmResource[] {
  const lower = prefix.toLowerCase()
  return [...state.resources.values()].filter((resource) => {
    const id = resource.id.toLowerCase()
    if (!id.startsWith(lower) || resource.type === 'Microsoft.Resources/resourceGroups') return false
    const after = id.split('/providers/')
    return after.length === 2 && after[1].split('/').length === 3
  }).sort((a, b) => a.id.localeCompare(b.id))
}

function genericView(resource: ArmResource) {
  const { properties: _properties, ...rest } = clone(resource)
  return rest
}

function resourceGroupRoute(ctx: Ctx, name: string): FakeResponse | undefined {
  const { request, route, state } = ctx
  const id = `/subscriptions/${route.subscription}/resourceGroups/${name}`
  const existing = state.get(id)
  switch (request.method) {
    case 'HEAD': return { status: existing ? 204 : 404 }
    case 'GET': return existing ? ok(clone(existing)) : armError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`)
    case 'PUT':
    case 'PATCH': {
      const body = request.json
      if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
      if (request.method === 'PATCH' && !existing) return armError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`)
      if (existing?.properties.provisioningState === 'Deleting') return armError(409, 'ResourceGroupBeingDeleted', `The resource group '${name}' is in deprovisioning state and cannot perform this operation.`)
      const invalid = (request.method === 'PUT' ? requireLocation(body) : undefined) ?? validateTags(body)
      if (invalid) return invalid
      if (existing && body.location && String(body.location).toLowerCase() !== existing.location) {
        return armError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${String(body.location)}'. The Resource group already exists in location '${existing.location}'.`)
      }
      const group: ArmResource = {
        id: existing?.id ?? id, name: existing?.name ?? name, type: 'Microsoft.Resources/resourceGroups',
        location: existing?.location ?? String(body.location).toLowerCase().replaceAll(' ', ''),
        tags: isObject(body.tags) ? body.tags as Record<string, string> : existing?.tags ?? {},
        properties: { provisioningState: 'Succeeded' },
      }
      state.put(group)
      return ok(clone(group), existing ? 200 : 201)
    }
    case 'DELETE': {
      if (!existing) return armError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`)
      existing.properties.provisioningState = 'Deleting'
      return startLocationOperation(state, request, route.subscription, () => {
        for (const resource of state.under(existing.id)) {
          if (resource.type === 'Microsoft.KeyVault/vaults') state.deletedVaults.set(resource.name.toLowerCase(), { vault: resource, deletedAt: new Date().toISOString() })
          state.remove(resource.id)
        }
        state.remove(existing.id)
      })
    }
    default: return undefined
  }
}

/** Routes with no provider namespace after the scope: subscriptions, groups, resources, operation results. */
export function subscriptionRoute(ctx: Ctx): FakeResponse | undefined {
  const { request, route, state } = ctx
  const tail = route.scope.split('/').slice(3)
  if (route.namespace === '' && route.resourceGroup === undefined) {
    if (tail.length === 0 && request.method === 'GET') {
      return ok({
        id: `/subscriptions/${route.subscription}`, subscriptionId: route.subscription, tenantId: ctx.caller.tenantId,
        displayName: 'strato fake subscription', state: 'Enabled', authorizationSource: 'RoleBased',
        subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
      })
    }
    if (tail[0]?.toLowerCase() === 'resourcegroups' && tail.length === 1 && request.method === 'GET') {
      const groups = filterResources(listOfType({ ...ctx, route: { ...route, resourceGroup: undefined } }, 'Microsoft.Resources/resourceGroups'), request.query.get('$filter'))
      return Array.isArray(groups) ? ok(page(request, groups.map(clone), state.options.pageSize)) : groups
    }
    if (tail[0]?.toLowerCase() === 'resources' && tail.length === 1 && request.method === 'GET') {
      const found = filterResources(trackedResources(state, `/subscriptions/${route.subscription}/`), request.query.get('$filter'))
      return Array.isArray(found) ? ok(page(request, found.map(genericView), state.options.pageSize)) : found
    }
    if (tail[0]?.toLowerCase() === 'operationresults' && tail.length === 2 && request.method === 'GET') return pollLocationOperation(state, request, tail[1])
    return undefined
  }
  if (route.namespace === '' && route.resourceGroup !== undefined) {
    const rest = tail.slice(2)
    if (rest.length === 0) return resourceGroupRoute(ctx, route.resourceGroup)
    if (rest.length === 1 && rest[0].toLowerCase() === 'resources' && request.method === 'GET') {
      const missing = requireGroup(ctx)
      if (missing) return missing
      const found = filterResources(trackedResources(state, `/subscriptions/${route.subscription}/resourceGroups/${route.resourceGroup}/`), request.query.get('$filter'))
      return Array.isArray(found) ? ok(page(request, found.map(genericView), state.options.pageSize)) : found
    }
  }
  return undefined
}

/** GET subscriptions/{s}/providers[/{namespace}], POST .../{namespace}/register */
export function providerRegistrationRoute(ctx: Ctx): FakeResponse | undefined {
  const { request, route, state } = ctx
  if (route.resourceGroup !== undefined || route.scope.split('/').length !== 3) return undefined
  if (route.namespace === '') return undefined
  if (route.rest.length === 0 && request.method === 'GET') return ok(providerView(state, route.subscription, route.namespace))
  if (route.rest.length === 1 && route.rest[0].toLowerCase() === 'register' && request.method === 'POST') {
    state.faults = state.faults.filter((fault) => !(fault.kind === 'unregistered' && fault.namespace?.toLowerCase() === route.namespace.toLowerCase()))
    return ok(providerView(state, route.subscription, route.namespace))
  }
  return undefined
}

export function providerListRoute(ctx: Ctx, subscription: string): FakeResponse {
  return ok({ value: NAMESPACES.map((namespace) => providerView(ctx.state, subscription, namespace)) })
}

/** Microsoft.ContainerRegistry/registries: enough for a role assignment scope and a login server. */
export function registryRoute(ctx: Ctx): FakeResponse | undefined {
  const { request, route, state } = ctx
  const [type, name, ...tail] = route.rest
  if ((type ?? '').toLowerCase() !== 'registries' || tail.length) return undefined
  if (name === undefined) return request.method === 'GET' ? ok({ value: listOfType(ctx, 'Microsoft.ContainerRegistry/registries').map(clone) }) : undefined
  if (!route.resourceGroup) return undefined
  const missing = requireGroup(ctx)
  if (missing) return missing
  const id = resourceIdOf(route, ['registries', name])
  const existing = state.get(id)
  if (request.method === 'GET') return existing ? ok(clone(existing)) : notFound('Microsoft.ContainerRegistry/registries', name, route.resourceGroup)
  if (request.method === 'PUT') {
    const body = request.json
    if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
    const invalid = requireLocation(body) ?? validateTags(body)
    if (invalid) return invalid
    const resource = envelope(id, name, 'Microsoft.ContainerRegistry/registries', body, existing)
    resource.properties = { ...resource.properties, loginServer: `${name.toLowerCase()}.azurecr.io`, provisioningState: 'Succeeded', adminUserEnabled: false }
    state.put(resource)
    return ok(clone(resource), existing ? 200 : 201)
  }
  if (request.method === 'DELETE') {
    if (!existing) return { status: 204 }
    state.remove(id)
    return { status: 200 }
  }
  return undefined
}
