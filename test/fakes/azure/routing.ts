/**
 * What every ARM route shares: the parsed path, the caller, and helpers for
 * resource ids, resource groups and the PUT/DELETE answers of each style
 * (synchronous, or long-running through lro.ts).
 */
import { armError, badRequest, clone, isObject, type FakeRequest, type FakeResponse } from './http.ts'
import { startOperation } from './lro.ts'
import type { ArmResource, FakeState, IssuedToken } from './state.ts'

/**
 * An ARM path split at its last `/providers/`: the scope before it (a
 * subscription, a resource group or a whole resource id) and the namespace
 * and segments after it. `.../virtualMachineScaleSets/web/virtualMachines/0`
 * has namespace Microsoft.Compute and rest [virtualMachineScaleSets, web,
 * virtualMachines, 0].
 */
export interface ArmRoute {
  scope: string
  subscription: string
  resourceGroup?: string
  namespace: string
  rest: string[]
}

export interface Ctx {
  state: FakeState
  request: FakeRequest
  caller: IssuedToken
  route: ArmRoute
}

export function parseRoute(path: string): ArmRoute | undefined {
  const trimmed = path.replace(/\/+$/, '')
  const at = trimmed.toLowerCase().lastIndexOf('/providers/')
  const scope = at >= 0 ? trimmed.slice(0, at) : trimmed
  const after = at >= 0 ? trimmed.slice(at + '/providers/'.length).split('/').map(decodeURIComponent) : []
  const scopeMatch = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?/i.exec(scope)
  if (!scopeMatch) return undefined
  return { scope, subscription: scopeMatch[1], resourceGroup: scopeMatch[2] ? decodeURIComponent(scopeMatch[2]) : undefined, namespace: after[0] ?? '', rest: after.slice(1) }
}

/** The ARM action a request needs, e.g. Microsoft.Compute/virtualMachineScaleSets/write. */
export function actionOf(method: string, path: string): string {
  const route = parseRoute(path)
  const verb = (kind: 'resource' | 'tail') => (method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : method === 'POST' && kind === 'tail' ? 'action' : 'write')
  if (!route || !route.namespace) {
    if (/\/resourcegroups\/[^/]+$/i.test(path)) return `Microsoft.Resources/subscriptions/resourceGroups/${verb('resource')}`
    if (/\/resourcegroups$/i.test(path)) return 'Microsoft.Resources/subscriptions/resourceGroups/read'
    if (/\/resources$/i.test(path)) return 'Microsoft.Resources/subscriptions/resources/read'
    return `Microsoft.Resources/subscriptions/${verb('resource')}`
  }
  const types = route.rest.filter((_, index) => index % 2 === 0)
  const odd = route.rest.length % 2 === 1
  if (method === 'POST' && odd) return `${route.namespace}/${types.join('/')}/action`
  return `${route.namespace}/${types.join('/')}/${verb('resource')}`
}

export function resourceIdOf(route: ArmRoute, segments: string[]): string {
  return `/subscriptions/${route.subscription}/resourceGroups/${route.resourceGroup}/providers/${route.namespace}/${segments.join('/')}`
}

/** 404 unless the route's resource group exists. */
export function requireGroup(ctx: Ctx): FakeResponse | undefined {
  const group = ctx.state.get(`/subscriptions/${ctx.route.subscription}/resourceGroups/${ctx.route.resourceGroup}`)
  if (!group || group.properties.provisioningState === 'Deleting') {
    return armError(404, 'ResourceGroupNotFound', `Resource group '${ctx.route.resourceGroup}' could not be found.`)
  }
  return undefined
}

export function sameId(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase()
}

/** The tracked-resource envelope of a PUT body, with the server's own fields. */
export function envelope(id: string, name: string, type: string, body: Record<string, unknown>, existing?: ArmResource): ArmResource {
  const resource: ArmResource = {
    ...(existing ? clone(existing) : {}),
    id, name, type,
    location: String(body.location ?? existing?.location ?? '').toLowerCase().replaceAll(' ', ''),
    properties: isObject(body.properties) ? clone(body.properties) : {},
  }
  // a PUT replaces the tags; ARM leaves the field out when there are none
  if (isObject(body.tags)) resource.tags = clone(body.tags) as Record<string, string>
  else delete resource.tags
  for (const key of ['sku', 'zones', 'identity', 'kind'] as const) {
    if (body[key] !== undefined) resource[key] = clone(body[key]) as never
  }
  return resource
}

export function validateTags(body: Record<string, unknown>): FakeResponse | undefined {
  if (body.tags === undefined) return undefined
  if (!isObject(body.tags)) return badRequest('Tags must be an object of names and values.', 'InvalidTag')
  const entries = Object.entries(body.tags)
  if (entries.length > 50) return badRequest(`The number of tags ${entries.length} exceeds the maximum of 50.`, 'InvalidTagCount')
  for (const [name, value] of entries) {
    if (name.length > 512 || /[<>%&\\?/]/.test(name)) return badRequest(`The tag name '${name}' has invalid characters or is too long.`, 'InvalidTagNameCharacters')
    if (typeof value !== 'string' || value.length > 256) return badRequest(`The tag value of '${name}' must be a string of at most 256 characters.`, 'InvalidTagValueLength')
  }
  return undefined
}

export function requireLocation(body: Record<string, unknown>): FakeResponse | undefined {
  return typeof body.location === 'string' && body.location ? undefined : badRequest("The 'location' property is required for this definition.", 'LocationRequired')
}

/** A PUT answered by a long-running operation: 201 (created) or 200 (updated) with the body in its transient state. */
export function putLongRunning(ctx: Ctx, resource: ArmResource, created: boolean, transient: string, namespace: string, afterSuccess?: () => void): FakeResponse {
  const failure = failureFor(ctx)
  resource.properties.provisioningState = transient
  ctx.state.put(resource)
  return startOperation(ctx.state, ctx.request, {
    subscription: ctx.route.subscription, namespace, location: resource.location ?? 'westeurope', status: created ? 201 : 200,
    body: viewOf(ctx, resource), failure,
    finish: (succeeded) => {
      const current = ctx.state.get(resource.id)
      if (current) current.properties.provisioningState = succeeded ? 'Succeeded' : 'Failed'
      if (succeeded) afterSuccess?.()
    },
  })
}

/** A DELETE answered by a long-running operation: 202 with Azure-AsyncOperation and Location; the resource goes when it ends. */
export function deleteLongRunning(ctx: Ctx, resource: ArmResource, namespace: string, remove: () => void = () => ctx.state.remove(resource.id)): FakeResponse {
  const failure = failureFor(ctx)
  resource.properties.provisioningState = 'Deleting'
  return startOperation(ctx.state, ctx.request, {
    subscription: ctx.route.subscription, namespace, location: resource.location ?? 'westeurope', status: 202, withLocation: true, failure,
    finish: (succeeded) => {
      if (succeeded) remove()
      else resource.properties.provisioningState = 'Failed'
    },
  })
}

/** A POST action answered by a long-running operation (202, both headers). */
export function actionLongRunning(ctx: Ctx, location: string, namespace: string, effect: (succeeded: boolean) => void): FakeResponse {
  return startOperation(ctx.state, ctx.request, {
    subscription: ctx.route.subscription, namespace, location, status: 202, withLocation: true, failure: failureFor(ctx), finish: effect,
  })
}

/** The error a failLro fault makes this request's operation end with. */
export function failureFor(ctx: Ctx): { code: string; message: string } | undefined {
  const fault = ctx.state.takeFault('failLro', (candidate) => matchesRequest(candidate, ctx.request))
  if (!fault) return undefined
  const code = fault.code ?? 'InternalOperationError'
  return { code, message: `The operation failed (injected fault ${code}).` }
}

export function matchesRequest(fault: { method?: string; path?: string }, request: FakeRequest): boolean {
  if (fault.method && fault.method.toUpperCase() !== request.method) return false
  if (fault.path && !request.path.toLowerCase().includes(fault.path.toLowerCase())) return false
  return true
}

/** How a resource is answered: resource kinds may hide fields (customData) or add computed ones. */
export type Viewer = (ctx: Ctx, resource: ArmResource) => ArmResource
const viewers = new Map<string, Viewer>()

export function registerViewer(type: string, viewer: Viewer): void {
  viewers.set(type.toLowerCase(), viewer)
}

export function viewOf(ctx: Ctx, resource: ArmResource): ArmResource {
  const viewer = viewers.get(resource.type.toLowerCase())
  return viewer ? viewer(ctx, clone(resource)) : clone(resource)
}

/** Lists the resources of one type in the route's scope (a resource group, or the whole subscription). */
export function listOfType(ctx: Ctx, type: string): ArmResource[] {
  const prefix = ctx.route.resourceGroup
    ? `/subscriptions/${ctx.route.subscription}/resourcegroups/${ctx.route.resourceGroup}/`.toLowerCase()
    : `/subscriptions/${ctx.route.subscription}/`.toLowerCase()
  return [...ctx.state.resources.values()]
    .filter((resource) => resource.type.toLowerCase() === type.toLowerCase() && resource.id.toLowerCase().startsWith(prefix))
    .sort((a, b) => a.id.localeCompare(b.id))
}
