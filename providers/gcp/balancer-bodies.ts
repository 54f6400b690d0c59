/**
 * The balancer in front of a target's services, as request bodies. Pure.
 *
 * HTTP (the default): one global external Application Load Balancer per
 * target and project, shared by its services: a backend service per service
 * over its group, one URL map that sends /<service>/ to that service (the
 * prefix rewritten to /; the first service also answers /), a target HTTP
 * proxy and a global forwarding rule on port 80.
 * Network (targets.<name>.loadBalancer: network): per service, a regional
 * backend service and a regional forwarding rule on the service port, an
 * external passthrough balancer that keeps clients' addresses.
 */
import type { protos } from '@google-cloud/compute'
import type { LoadBalancerSchema } from '../../src/manifest/schema.js'
import type { z } from 'zod'
import type { BackendCapacity } from './autoscaling-compile.js'
import { NAMED_PORT, projectState, serviceState, type ServiceIdentity } from './group-bodies.js'
import { labelsOf, stateDescription } from './resource-state.js'
import { balancerName, serviceResourceName } from './naming.js'

type BackendService = protos.google.cloud.compute.v1.IBackendService
type UrlMap = protos.google.cloud.compute.v1.IUrlMap
type TargetHttpProxy = protos.google.cloud.compute.v1.ITargetHttpProxy
type ForwardingRule = protos.google.cloud.compute.v1.IForwardingRule

export const HTTP_PORT = 80
type LoadBalancing = z.infer<typeof LoadBalancerSchema>

/** How the balancer picks an instance, from the manifest's loadBalancer block. */
export function localityPolicy(balancing: LoadBalancing | undefined): Pick<BackendService, 'localityLbPolicy' | 'consistentHash'> {
  switch (balancing?.algorithm) {
    case 'least-conn': return { localityLbPolicy: 'LEAST_REQUEST' }
    case 'consistent-hash': {
      const on = balancing.hashOn
      const consistentHash = on && 'header' in on ? { httpHeaderName: on.header } : on && 'cookie' in on ? { httpCookie: { name: on.cookie } } : undefined
      return { localityLbPolicy: 'RING_HASH', ...(consistentHash ? { consistentHash } : {}) }
    }
    // a group's instances are all alike: weights between replicas have no Compute Engine counterpart
    default: return { localityLbPolicy: 'ROUND_ROBIN' }
  }
}

export interface BackendInput extends ServiceIdentity {
  instanceGroup: string
  healthCheckLink: string
  capacity: BackendCapacity
  balancing?: LoadBalancing
}

export function backendServiceBody(input: BackendInput): BackendService {
  return {
    name: serviceResourceName(input.project, input.service),
    description: stateDescription(serviceState(input, 'backend-service')),
    loadBalancingScheme: 'EXTERNAL_MANAGED',
    protocol: 'HTTP',
    portName: NAMED_PORT,
    timeoutSec: 30,
    connectionDraining: { drainingTimeoutSec: 30 },
    healthChecks: [input.healthCheckLink],
    backends: [{ group: input.instanceGroup, capacityScaler: 1, ...input.capacity }],
    ...localityPolicy(input.balancing),
  }
}

export interface UrlMapInput { project: string; target: string; backends: { service: string; link: string }[] }

/** /<service>/... goes to the service with the prefix removed; the first service (by name) also answers everything else. */
export function urlMapBody(input: UrlMapInput): UrlMap {
  const sorted = [...input.backends].sort((a, b) => a.service.localeCompare(b.service))
  return {
    name: balancerName(input.project, input.target),
    description: stateDescription(projectState(input.project, input.target, 'url-map')),
    defaultService: sorted[0].link,
    hostRules: [{ hosts: ['*'], pathMatcher: 'services' }],
    pathMatchers: [{
      name: 'services',
      defaultService: sorted[0].link,
      routeRules: sorted.map((backend, index) => ({
        priority: index + 1,
        matchRules: [{ prefixMatch: `/${backend.service}/` }],
        service: backend.link,
        routeAction: { urlRewrite: { pathPrefixRewrite: '/' } },
      })),
    }],
  }
}

export function proxyBody(project: string, target: string, urlMapLink: string): TargetHttpProxy {
  return {
    name: balancerName(project, target),
    description: stateDescription(projectState(project, target, 'http-proxy')),
    urlMap: urlMapLink,
  }
}

export function globalForwardingRuleBody(project: string, target: string, proxyLink: string): ForwardingRule {
  const state = projectState(project, target, 'forwarding-rule')
  return {
    name: balancerName(project, target),
    description: stateDescription(state),
    labels: labelsOf(state),
    target: proxyLink,
    IPProtocol: 'TCP',
    portRange: String(HTTP_PORT),
    loadBalancingScheme: 'EXTERNAL_MANAGED',
    networkTier: 'PREMIUM',
  }
}

export interface NetworkBalancerInput extends ServiceIdentity { instanceGroup: string; healthCheckLink: string }

export function regionalBackendServiceBody(input: NetworkBalancerInput): BackendService {
  return {
    name: serviceResourceName(input.project, input.service),
    description: stateDescription(serviceState(input, 'backend-service')),
    loadBalancingScheme: 'EXTERNAL',
    protocol: 'TCP',
    healthChecks: [input.healthCheckLink],
    backends: [{ group: input.instanceGroup, balancingMode: 'CONNECTION' }],
    connectionDraining: { drainingTimeoutSec: 30 },
  }
}

export function regionalForwardingRuleBody(input: ServiceIdentity & { port: number; backendServiceLink: string }): ForwardingRule {
  const state = serviceState(input, 'forwarding-rule')
  return {
    name: serviceResourceName(input.project, input.service),
    description: stateDescription(state),
    labels: labelsOf(state),
    backendService: input.backendServiceLink,
    IPProtocol: 'TCP',
    ports: [String(input.port)],
    loadBalancingScheme: 'EXTERNAL',
    networkTier: 'PREMIUM',
  }
}
