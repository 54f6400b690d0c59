/**
 * Microsoft.Authorization at any scope: role assignments (GUID names, one per
 * principal, role and scope, principals that must exist) and the built-in
 * role definitions strato assigns or reads.
 */
import { armError, badRequest, clone, isObject, ok, type FakeResponse } from './http.ts'
import type { Ctx } from './routing.ts'
import type { ArmResource } from './state.ts'

const ASSIGNMENT = 'Microsoft.Authorization/roleAssignments'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const BUILT_IN_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-49b6-93f0-b7ff8ec47a2e': 'Contributor',
  'acdd72a7-3c48-4f83-9a48-d2bb7d8a6a9b': 'Reader',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  '43d0d8ad-25c7-4714-9337-8ba259a9fe05': 'Monitoring Reader',
  '72fafb9e-0641-4937-9268-a91bfd8191a3': 'Cost Management Reader',
  '9980e02c-c2be-4d73-94e8-173b1dc7cf3c': 'Virtual Machine Contributor',
  '4d97b98b-1d4f-4787-a291-c67834d212e7': 'Network Contributor',
}

function definition(subscription: string, id: string) {
  return {
    id: `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${id}`,
    name: id, type: 'Microsoft.Authorization/roleDefinitions',
    properties: { roleName: BUILT_IN_ROLES[id], type: 'BuiltInRole', description: `Built-in role ${BUILT_IN_ROLES[id]}.`, assignableScopes: ['/'], permissions: [] },
  }
}

/** Principals that exist: callers that got a token, and the system-assigned identities of scale sets. */
function principalExists(ctx: Ctx, principalId: string): boolean {
  const lower = principalId.toLowerCase()
  for (const token of ctx.state.tokens.values()) if (token.objectId === lower) return true
  for (const resource of ctx.state.resources.values()) {
    if (String((resource.identity as { principalId?: string } | undefined)?.principalId ?? '').toLowerCase() === lower) return true
  }
  return false
}

function isAncestor(scope: string, of: string): boolean {
  const a = scope.toLowerCase().replace(/\/+$/, '')
  const b = of.toLowerCase().replace(/\/+$/, '')
  return b === a || b.startsWith(`${a}/`)
}

function assignments(ctx: Ctx): ArmResource[] {
  return [...ctx.state.resources.values()].filter((resource) => resource.type === ASSIGNMENT)
}

export function authorizationRoute(ctx: Ctx): FakeResponse | undefined {
  const { request, route, state } = ctx
  const [type, name, ...tail] = route.rest
  if (tail.length) return undefined
  const lower = (type ?? '').toLowerCase()
  if (lower === 'roledefinitions') {
    if (request.method !== 'GET') return undefined
    if (name) return BUILT_IN_ROLES[name.toLowerCase()] ? ok(definition(route.subscription, name.toLowerCase())) : armError(404, 'RoleDefinitionDoesNotExist', `The role definition '${name}' does not exist.`)
    const wanted = /roleName eq '([^']+)'/i.exec(request.query.get('$filter') ?? '')?.[1]
    const ids = Object.keys(BUILT_IN_ROLES).filter((id) => !wanted || BUILT_IN_ROLES[id].toLowerCase() === wanted.toLowerCase())
    return ok({ value: ids.map((id) => definition(route.subscription, id)) })
  }
  if (lower !== 'roleassignments') return undefined
  if (name === undefined) {
    if (request.method !== 'GET') return undefined
    const filter = request.query.get('$filter') ?? ''
    const principal = /principalId eq '([^']+)'/i.exec(filter)?.[1] ?? /assignedTo\('([^']+)'\)/i.exec(filter)?.[1]
    const atScope = /atScope\(\)/i.test(filter)
    const value = assignments(ctx).filter((assignment) => {
      const scope = String(assignment.properties.scope)
      if (principal && String(assignment.properties.principalId).toLowerCase() !== principal.toLowerCase()) return false
      return atScope ? isAncestor(scope, route.scope) : isAncestor(scope, route.scope) || isAncestor(route.scope, scope)
    })
    return ok({ value: value.map(clone) })
  }
  const id = `${route.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`
  const existing = state.get(id)
  switch (request.method) {
    case 'GET':
      return existing ? ok(clone(existing)) : armError(404, 'RoleAssignmentNotFound', `The role assignment '${name}' is not found.`)
    case 'DELETE':
      if (!existing) return { status: 204 }
      state.remove(id)
      return ok(clone(existing))
    case 'PUT': {
      if (!GUID.test(name)) return badRequest(`The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`, 'InvalidRoleAssignmentId')
      const body = request.json
      const properties = isObject(body) && isObject(body.properties) ? body.properties : undefined
      const roleDefinitionId = String(properties?.roleDefinitionId ?? '')
      const principalId = String(properties?.principalId ?? '')
      const roleGuid = roleDefinitionId.split('/').pop()?.toLowerCase() ?? ''
      if (!BUILT_IN_ROLES[roleGuid]) return badRequest(`The role definition ${roleDefinitionId} does not exist.`, 'RoleDefinitionDoesNotExist')
      if (!principalExists(ctx, principalId)) {
        return badRequest(`Principal ${principalId} does not exist in the directory ${ctx.caller.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay.`, 'PrincipalNotFound')
      }
      if (/\/providers\//i.test(route.scope) && !state.get(route.scope)) {
        return armError(404, 'ResourceNotFound', `The scope ${route.scope} does not exist.`)
      }
      const same = assignments(ctx).find((other) => other.id.toLowerCase() !== id.toLowerCase()
        && String(other.properties.principalId).toLowerCase() === principalId.toLowerCase()
        && String(other.properties.roleDefinitionId).split('/').pop()?.toLowerCase() === roleGuid
        && String(other.properties.scope).toLowerCase() === route.scope.toLowerCase())
      if (same) return armError(409, 'RoleAssignmentExists', 'The role assignment already exists.')
      const now = new Date().toISOString()
      const assignment: ArmResource = {
        id, name, type: ASSIGNMENT,
        properties: {
          roleDefinitionId: `/subscriptions/${route.subscription}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
          principalId, principalType: String(properties?.principalType ?? 'ServicePrincipal'), scope: route.scope,
          condition: null, conditionVersion: null, createdOn: now, updatedOn: now, createdBy: ctx.caller.objectId, updatedBy: ctx.caller.objectId, delegatedManagedIdentityResourceId: null, description: null,
        },
      }
      state.put(assignment)
      return ok(clone(assignment), existing ? 200 : 201)
    }
    default:
      return undefined
  }
}
