/**
 * What `strato check` reads from a gcp target: the project's instances and
 * disks (by their strato-project label), and every firewall rule that
 * applies to them (rules without target tags apply to every instance of
 * their network). The mappers are pure: the recorded-traffic test feeds them
 * real answers. Metadata values are never read: they may hold secrets.
 */
import type { protos } from '@google-cloud/compute'
import type { GcpDiskFact, GcpFirewallFact, GcpInstanceFact } from '../../src/checks/facts.js'
import type { Fact } from '../../src/model.js'
import { PAGED, type GcpApi } from './api.js'
import { lastSegment } from './group-state.js'

type Firewall = protos.google.cloud.compute.v1.IFirewall
type Instance = protos.google.cloud.compute.v1.IInstance
type Disk = protos.google.cloud.compute.v1.IDisk

const TRUE = /^(true|1|yes)$/i

export function firewallFact(firewall: Firewall, target: string): Fact {
  const data: GcpFirewallFact = {
    name: String(firewall.name),
    network: lastSegment(firewall.network),
    direction: firewall.direction === 'EGRESS' ? 'EGRESS' : 'INGRESS',
    disabled: firewall.disabled === true,
    allowed: (firewall.allowed ?? []).map((rule) => ({ protocol: String(rule.IPProtocol ?? 'all'), ports: rule.ports ?? [] })),
    sourceRanges: firewall.sourceRanges ?? [],
    targetTags: firewall.targetTags ?? [],
  }
  return { kind: 'gcp.firewall', resource: data.name, target, data: data as unknown as Record<string, unknown> }
}

export function instanceFact(instance: Instance, target: string): Fact {
  const items = instance.metadata?.items ?? []
  const flag = (key: string) => items.some((item) => item.key === key && TRUE.test(String(item.value ?? '')))
  const data: GcpInstanceFact = {
    name: String(instance.name),
    zone: lastSegment(instance.zone),
    publicIps: (instance.networkInterfaces ?? []).flatMap((nic) => (nic.accessConfigs ?? []).map((config) => config.natIP).filter((ip): ip is string => Boolean(ip))),
    serviceAccounts: (instance.serviceAccounts ?? []).map((account) => ({ email: String(account.email ?? ''), scopes: account.scopes ?? [] })),
    metadataKeys: items.map((item) => String(item.key)),
    // OS Login turns metadata SSH keys off, project-wide ones included
    blockProjectSshKeys: flag('block-project-ssh-keys') || flag('enable-oslogin'),
    labels: { ...(instance.labels ?? {}) },
  }
  return { kind: 'gcp.instance', resource: data.name, target, data: data as unknown as Record<string, unknown> }
}

export function diskFact(disk: Disk, target: string): Fact {
  const key = disk.diskEncryptionKey
  const data: GcpDiskFact = {
    name: String(disk.name),
    zone: lastSegment(disk.zone),
    encryption: key?.kmsKeyName ? 'customer-managed' : key?.sha256 || key?.rawKey || key?.rsaEncryptedKey ? 'customer-supplied' : 'google-managed',
    labels: { ...(disk.labels ?? {}) },
  }
  return { kind: 'gcp.disk', resource: data.name, target, data: data as unknown as Record<string, unknown> }
}

/** Firewall rules that reach the instances: on their networks, with no target tags or one of theirs. */
export function applicableFirewalls(firewalls: Firewall[], instances: Instance[]): Firewall[] {
  const networks = new Set(instances.flatMap((instance) => (instance.networkInterfaces ?? []).map((nic) => lastSegment(nic.network))))
  const tags = new Set(instances.flatMap((instance) => instance.tags?.items ?? []))
  return firewalls.filter((firewall) => networks.has(lastSegment(firewall.network))
    && ((firewall.targetTags ?? []).length === 0 || (firewall.targetTags ?? []).some((tag) => tags.has(tag))))
}

export async function collectFacts(api: GcpApi, labelFilter: string, target: string): Promise<Fact[]> {
  const scoped = <T>(entries: [string, { instances?: T[] | null; disks?: T[] | null }][], key: 'instances' | 'disks') => entries.flatMap(([, list]) => list[key] ?? [])
  const [instanceScopes, diskScopes, firewalls] = await Promise.all([
    api.all('instances.aggregatedList', () => api.compute.instances.aggregatedListAsync({ project: api.project, filter: labelFilter }, PAGED)),
    api.all('disks.aggregatedList', () => api.compute.disks.aggregatedListAsync({ project: api.project, filter: labelFilter }, PAGED)),
    api.all('firewalls.list', () => api.compute.firewalls.listAsync({ project: api.project }, PAGED)),
  ])
  const instances = scoped<Instance>(instanceScopes, 'instances')
  const disks = scoped<Disk>(diskScopes, 'disks')
  return [
    ...applicableFirewalls(firewalls, instances).map((firewall) => firewallFact(firewall, target)),
    ...instances.map((instance) => instanceFact(instance, target)),
    ...disks.map((disk) => diskFact(disk, target)),
  ]
}
