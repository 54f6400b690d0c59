/**
 * What the live checks read on an azure target: the rules of the project's
 * network security groups, its managed disks, and each scale set as a VM
 * fact (public IPs in the model, its identity and the roles that identity
 * holds on the subscription, OS disk encryption, tags).
 */
import type { Disk, VirtualMachineScaleSet } from '@azure/arm-compute'
import type { NetworkSecurityGroup } from '@azure/arm-network'
import { fact, type AzureDiskFact, type AzureNsgRuleFact, type AzureVmFact } from '../../src/checks/facts.js'
import { LABEL, type Fact } from '../../src/model.js'
import type { AzureClients } from './clients.js'
import { mapBounded } from '../bounded.js'
import { isNotFound } from './errors.js'

const listOf = (one: string | undefined, many: string[] | undefined) => (many?.length ? many : one !== undefined ? [one] : [])

/** One fact per security rule the NSG's owner wrote (Azure's default rules are left out). */
export function nsgRuleFacts(nsg: NetworkSecurityGroup, target: string): Fact[] {
  return (nsg.securityRules ?? []).map((rule) => {
    const data: AzureNsgRuleFact = {
      nsgName: nsg.name ?? '',
      ruleName: rule.name ?? '',
      direction: rule.direction === 'Outbound' ? 'Outbound' : 'Inbound',
      access: rule.access === 'Deny' ? 'Deny' : 'Allow',
      protocol: rule.protocol ?? '*',
      destinationPortRanges: listOf(rule.destinationPortRange, rule.destinationPortRanges),
      sourceAddressPrefixes: listOf(rule.sourceAddressPrefix, rule.sourceAddressPrefixes),
      priority: rule.priority ?? 0,
    }
    return fact('azure.nsgRule', `${data.nsgName}/${data.ruleName}`, target, data)
  })
}

export function diskFact(disk: Disk, target: string): Fact {
  const type = disk.encryption?.type ?? ''
  const data: AzureDiskFact = { diskId: disk.id ?? '', name: disk.name ?? '', encrypted: type !== '' && /EncryptionAtRest/i.test(type), encryptionType: type, tags: disk.tags ?? {} }
  return fact('azure.disk', data.name, target, data)
}

/** A scale set as a VM fact: managed OS disks are always encrypted at rest by Azure; an unmanaged (VHD) one is not. */
export function scaleSetFact(scaleSet: VirtualMachineScaleSet, subscriptionRoles: string[], target: string): Fact {
  const profile = scaleSet.virtualMachineProfile
  const publicIp = (profile?.networkProfile?.networkInterfaceConfigurations ?? [])
    .flatMap((nic) => nic.ipConfigurations ?? [])
    .some((config) => config.publicIPAddressConfiguration !== undefined)
  const osDisk = profile?.storageProfile?.osDisk
  const data: AzureVmFact = {
    vmId: scaleSet.id ?? '',
    name: scaleSet.name ?? '',
    ...(publicIp ? { publicIp: 'one per instance (publicIPAddressConfiguration)' } : {}),
    identityType: scaleSet.identity?.type ?? 'None',
    subscriptionRoles,
    osDiskEncrypted: !osDisk?.vhdContainers?.length,
    tags: scaleSet.tags ?? {},
  }
  return fact('azure.vm', data.name, target, data)
}

/** Role names a principal holds at subscription scope (or above), resolved from their definitions. */
export async function subscriptionRoles(clients: AzureClients, principalId: string, cache: Map<string, string>): Promise<string[]> {
  const authorization = await clients.authorization()
  const scope = `/subscriptions/${clients.subscriptionId}`
  const names: string[] = []
  for await (const assignment of authorization.roleAssignments.listForScope(scope, { filter: `principalId eq '${principalId}'` })) {
    if ((assignment.scope ?? '').toLowerCase() !== scope.toLowerCase() && assignment.scope !== '/') continue
    const definition = assignment.roleDefinitionId ?? ''
    if (!cache.has(definition)) cache.set(definition, (await authorization.roleDefinitions.getById(definition)).roleName ?? definition)
    names.push(cache.get(definition)!)
  }
  return names.sort()
}

export async function collectFacts(clients: AzureClients, resourceGroup: string, project: string, target: string): Promise<Fact[]> {
  const [compute, network] = await Promise.all([clients.compute(), clients.network()])
  const facts: Fact[] = []
  try {
    for await (const nsg of network.networkSecurityGroups.list(resourceGroup)) {
      if (nsg.tags?.[LABEL.project] === project) facts.push(...nsgRuleFacts(nsg, target))
    }
    for await (const disk of compute.disks.listByResourceGroup(resourceGroup)) facts.push(diskFact(disk, target))
    const sets: VirtualMachineScaleSet[] = []
    for await (const set of compute.virtualMachineScaleSets.list(resourceGroup)) if (set.tags?.[LABEL.project] === project) sets.push(set)
    const roles = new Map<string, string>()
    const held = await mapBounded(sets, 4, (set) => (set.identity?.principalId ? subscriptionRoles(clients, set.identity.principalId, roles) : Promise.resolve([])))
    sets.forEach((set, index) => facts.push(scaleSetFact(set, held[index], target)))
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  return facts
}
