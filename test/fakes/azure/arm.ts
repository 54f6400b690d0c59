/**
 * The Resource Manager front door: authenticates the bearer token, applies
 * injected faults (403 for a missing role, 409 for an unregistered resource
 * provider, 429 with Retry-After, 5xx), then hands the request to the route
 * of its provider namespace. Unknown routes answer as ARM does for an
 * unknown resource type.
 */
import { armError, type FakeRequest, type FakeResponse } from './http.ts'
import { authenticate } from './identity.ts'
import { authorizationRoute } from './authorization.ts'
import { computeRoute } from './compute.ts'
import { costRoute } from './cost.ts'
import { keyVaultRoute } from './keyvault.ts'
import { pollOperation, tick } from './lro.ts'
import { monitorRoute } from './monitor.ts'
import { networkRoute } from './network.ts'
import { providerListRoute, providerRegistrationRoute, registrationState, registryRoute, subscriptionRoute } from './resources.ts'
import { actionOf, matchesRequest, parseRoute, type Ctx } from './routing.ts'
import type { FakeState } from './state.ts'

export function handleArm(state: FakeState, request: FakeRequest, defaultSubscription: string): FakeResponse {
  tick(state)
  const caller = authenticate(state, request)
  if ('status' in caller) return caller
  if (/^\/subscriptions\/?$/i.test(request.path) && request.method === 'GET') {
    return { status: 200, body: { value: [{ id: `/subscriptions/${defaultSubscription}`, subscriptionId: defaultSubscription, tenantId: caller.tenantId, displayName: 'strato fake subscription', state: 'Enabled' }] } }
  }
  const route = parseRoute(request.path)
  if (!route) return armError(404, 'NotFound', `No route for ${request.method} ${request.path}.`)
  const ctx: Ctx = { state, request, caller, route }

  const action = actionOf(request.method, request.path)
  const denied = state.takeFault('deny', (fault) => fault.action !== undefined && fault.action.toLowerCase() === action.toLowerCase())
  if (denied) {
    return armError(403, 'AuthorizationFailed', `The client '${caller.clientId}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${route.scope}${route.namespace ? `/providers/${route.namespace}/${route.rest.join('/')}` : ''}' or the scope is invalid. If access was recently granted, please refresh your credentials.`)
  }
  if (route.namespace && request.method !== 'GET' && registrationState(state, route.namespace) === 'NotRegistered' && !/\/register$/i.test(request.path)) {
    return armError(409, 'MissingSubscriptionRegistration', `The subscription is not registered to use namespace '${route.namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`)
  }
  const throttled = state.takeFault('throttle', (fault) => matchesRequest(fault, request))
  if (throttled) {
    const seconds = String(throttled.retryAfter ?? 1)
    return armError(429, 'TooManyRequests', 'The request was throttled: too many requests. Retry after the given number of seconds.', {
      'Retry-After': seconds, 'x-ms-ratelimit-microsoft.costmanagement-entity-retry-after': seconds,
    })
  }
  const failing = state.takeFault('serverError', (fault) => matchesRequest(fault, request))
  if (failing) return armError(failing.status ?? 503, 'ServiceUnavailable', 'The service is temporarily unavailable (injected fault).')

  if (/^\/subscriptions\/[^/]+\/providers$/i.test(request.path.replace(/\/+$/, '')) && request.method === 'GET') return providerListRoute(ctx, route.subscription)
  const namespace = route.namespace.toLowerCase()
  const [first, , third, fourth] = route.rest
  let answer: FakeResponse | undefined
  if (namespace === '') answer = subscriptionRoute(ctx)
  else if (first?.toLowerCase() === 'locations' && third?.toLowerCase() === 'operations' && fourth && request.method === 'GET') answer = pollOperation(state, request, fourth)
  else if (route.rest.length === 0 || (route.rest.length === 1 && first.toLowerCase() === 'register')) answer = providerRegistrationRoute(ctx)
  if (!answer) {
    switch (namespace) {
      case 'microsoft.network': answer = networkRoute(ctx); break
      case 'microsoft.compute': answer = computeRoute(ctx); break
      case 'microsoft.insights': answer = monitorRoute(ctx); break
      case 'microsoft.costmanagement': answer = costRoute(ctx); break
      case 'microsoft.keyvault': answer = keyVaultRoute(ctx); break
      case 'microsoft.authorization': answer = authorizationRoute(ctx); break
      case 'microsoft.containerregistry': answer = registryRoute(ctx); break
      default: break
    }
  }
  return answer ?? armError(404, 'InvalidResourceType', `The resource type '${route.rest[0] ?? ''}' could not be found in the namespace '${route.namespace}' for api version '${request.query.get('api-version') ?? ''}' (${request.method} ${request.path}).`)
}
