/**
 * The bodies of a service's regional managed instance group, its health
 * check and its firewall rule. Pure: unit tests assert them exactly.
 *
 * The group spreads over the target's zones, names its port "http",
 * autoheals on the health check, and updates PROACTIVE-ly with surge and no
 * unavailability (new instances start beside the old ones, which stay until
 * the new are healthy). Groups, health checks and firewalls have no labels:
 * strato's state is in their descriptions.
 */
import type { protos } from '@google-cloud/compute'
import { LABEL } from '../../src/model.js'
import { stateDescription } from './resource-state.js'
import { networkTag, serviceResourceName } from './naming.js'

type Group = protos.google.cloud.compute.v1.IInstanceGroupManager
type HealthCheck = protos.google.cloud.compute.v1.IHealthCheck
type Firewall = protos.google.cloud.compute.v1.IFirewall

/** Where Google's health checkers and proxy load balancers connect from. */
export const HEALTH_CHECK_RANGES = ['35.191.0.0/16', '130.211.0.0/22'] as const
export const NAMED_PORT = 'http'
/** Seconds a new instance gets to install Docker and pull its image before autohealing may replace it. */
export const AUTOHEALING_DELAY_SECONDS = 300

export interface ServiceIdentity { project: string; service: string; target: string }

/** The state of a resource one service owns. */
export function serviceState(identity: ServiceIdentity, role: string): Record<string, string> {
  return { ...projectState(identity.project, identity.target, role), [LABEL.service]: identity.service }
}

/** The state of a resource a target's services share (the HTTP balancer). */
export function projectState(project: string, target: string, role: string): Record<string, string> {
  return { [LABEL.project]: project, [LABEL.role]: role, 'strato.target': target }
}

export interface GroupInput extends ServiceIdentity {
  region: string
  zones: string[]
  templateLink: string
  /** none for a service without a port (a worker): no named port, no autohealing */
  healthCheckLink?: string
  port?: number
  targetSize: number
}

export function groupBody(input: GroupInput): Group {
  const name = serviceResourceName(input.project, input.service)
  return {
    name,
    baseInstanceName: name,
    description: stateDescription(serviceState(input, 'group')),
    targetSize: input.targetSize,
    versions: [{ instanceTemplate: input.templateLink }],
    distributionPolicy: { zones: input.zones.map((zone) => ({ zone: `zones/${zone}` })), targetShape: 'EVEN' },
    ...(input.port !== undefined ? { namedPorts: [{ name: NAMED_PORT, port: input.port }] } : {}),
    ...(input.healthCheckLink ? { autoHealingPolicies: [{ healthCheck: input.healthCheckLink, initialDelaySec: AUTOHEALING_DELAY_SECONDS }] } : {}),
    updatePolicy: updatePolicy(input.zones.length),
  }
}

/** Surge by as many instances as a regional group needs (at least one per zone); never fewer healthy than wanted. */
export function updatePolicy(zones: number): NonNullable<Group['updatePolicy']> {
  return {
    type: 'PROACTIVE', minimalAction: 'REPLACE', replacementMethod: 'SUBSTITUTE', instanceRedistributionType: 'PROACTIVE',
    maxSurge: { fixed: Math.max(zones, 1) }, maxUnavailable: { fixed: 0 },
  }
}

export interface HealthCheckInput extends ServiceIdentity { port: number; path: string; region?: string }

/** An HTTP check on the service's health path (or a TCP check on its port when it has none). */
export function healthCheckBody(input: HealthCheckInput): HealthCheck {
  return {
    name: serviceResourceName(input.project, input.service),
    description: stateDescription(serviceState(input, 'health-check')),
    checkIntervalSec: 10, timeoutSec: 5, healthyThreshold: 2, unhealthyThreshold: 3,
    ...(input.path
      ? { type: 'HTTP', httpHealthCheck: { port: input.port, requestPath: input.path, proxyHeader: 'NONE' } }
      : { type: 'TCP', tcpHealthCheck: { port: input.port, proxyHeader: 'NONE' } }),
  }
}

export interface FirewallInput extends ServiceIdentity {
  network: string
  port: number
  /** a passthrough network balancer keeps clients' addresses: the port must be open to them too */
  passthrough: boolean
  /** a private service: its clients are the target subnet's instances (the internal balancer keeps their addresses) */
  subnetRange?: string
}

/**
 * Admits the health checkers and the balancer (behind a network balancer, every
 * client; for a private service, the target's subnet) to the service port only.
 */
export function firewallBody(input: FirewallInput): Firewall {
  return {
    name: serviceResourceName(input.project, input.service),
    description: stateDescription(serviceState(input, 'firewall')),
    network: input.network,
    direction: 'INGRESS',
    priority: 1000,
    allowed: [{ IPProtocol: 'tcp', ports: [String(input.port)] }],
    sourceRanges: input.subnetRange ? [input.subnetRange, ...HEALTH_CHECK_RANGES] : input.passthrough ? ['0.0.0.0/0'] : [...HEALTH_CHECK_RANGES],
    targetTags: [networkTag(input.project, input.service)],
  }
}
