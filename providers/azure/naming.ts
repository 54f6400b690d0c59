/**
 * Names of what strato creates on Azure. Names make creation idempotent (a
 * PUT to the same name updates); state is always read back from tags.
 */
import { createHash } from 'node:crypto'
import type { AzureTargetConfig } from '../../src/manifest/schema.js'

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length)

/** The resource group of a project on a target: the target's resourceGroup:, else strato-<project>-<target>. */
export function resourceGroupName(project: string, targetName: string, target: Pick<AzureTargetConfig, 'resourceGroup'>): string {
  return target.resourceGroup ?? `strato-${project}-${targetName}`
}

/** Scale set names allow 64 characters on Linux; a long pair is cut and keeps a short hash. */
export function scaleSetName(project: string, service: string): string {
  const full = `strato-${project}-${service}`
  return full.length <= 64 ? full : `${full.slice(0, 57).replace(/-+$/, '')}-${hash(full, 6)}`
}

/**
 * VM computer names are the prefix plus six characters and must stay within
 * 15 on Windows and are conventionally short on Linux: the service's start
 * and a hash, so two services never share one.
 */
export function computerNamePrefix(project: string, service: string): string {
  return `${service.replace(/-/g, '').slice(0, 5) || 'svc'}${hash(`${project}/${service}`, 4)}`
}

export const network = {
  vnet: (project: string) => `strato-${project}-vnet`,
  subnet: 'services',
  nsg: (project: string) => `strato-${project}-nsg`,
  publicIp: (project: string) => `strato-${project}-lb-ip`,
  loadBalancer: (project: string) => `strato-${project}-lb`,
  frontend: 'public',
  /** one backend pool per service: the rule of a service sends only to its scale set */
  pool: (service: string) => `${service}-pool`,
  probe: (service: string) => `${service}-health`,
  rule: (service: string) => `${service}-http`,
  outbound: 'outbound',
  /** the private services' own balancer and NSG (internal-balancer.ts) */
  internalLoadBalancer: (project: string) => `strato-${project}-ilb`,
  privateNsg: (project: string) => `strato-${project}-private-nsg`,
  privateFrontendSuffix: '-private',
  privateFrontend: (service: string) => `${service}-private`,
  privateProbe: (service: string) => `${service}-tcp`,
  privateRule: (service: string) => `${service}-tcp`,
}

export function autoscaleSettingName(project: string, service: string): string {
  return `${scaleSetName(project, service)}-autoscale`
}

/**
 * Key Vault names are global, 3-24 characters, letters, digits and hyphens:
 * kv- with the project's start and a hash of subscription, group and project.
 */
export function vaultName(subscription: string, resourceGroup: string, project: string): string {
  const start = project.replace(/[^a-z0-9]/g, '').slice(0, 12) || 'p'
  return `kv-${start}-${hash(`${subscription}/${resourceGroup}/${project}`.toLowerCase(), 8)}`
}

/** Key Vault secret names allow letters, digits and hyphens: DB_PASSWORD is kept as DB-PASSWORD. */
export function secretName(variable: string): string {
  return variable.replace(/_/g, '-')
}

/** Role assignment names are GUIDs; one derived from principal, role and scope makes the PUT idempotent. */
export function roleAssignmentName(principalId: string, roleDefinitionId: string, scope: string): string {
  const hex = hash(`${principalId}|${roleDefinitionId}|${scope}`.toLowerCase(), 32)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * Frontend ports on the shared load balancer: one public IP, so each service
 * needs its own port. Services keep the port they have (endpoints must not
 * move); a new one takes 80 if free, else the first free port from 8081.
 */
export function assignFrontendPorts(services: string[], existing: Record<string, number>): Record<string, number> {
  const ports: Record<string, number> = {}
  const taken = new Set<number>()
  for (const service of services) {
    if (existing[service] !== undefined) {
      ports[service] = existing[service]
      taken.add(existing[service])
    }
  }
  let next = 8081
  for (const service of [...services].sort()) {
    if (ports[service] !== undefined) continue
    if (!taken.has(80)) ports[service] = 80
    else {
      while (taken.has(next)) next++
      ports[service] = next
    }
    taken.add(ports[service])
  }
  return ports
}
