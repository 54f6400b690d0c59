/**
 * destroy: removes everything tagged with the project on the target, in
 * dependency order (autoscale settings, role grants, scale sets, public and
 * internal balancers, public IP, network, NSGs, vault, then the resource
 * group when strato made it), and proves it by listing again: nothing
 * tagged may remain.
 */
import { LABEL, type Progress } from '../../src/model.js'
import { applyAutoscaleSetting } from './autoscale.js'
import type { AzureClients } from './clients.js'
import { ignoreMissing } from './errors.js'
import { readScaleSets } from './inventory.js'
import { autoscaleSettingName, network as names, vaultName } from './naming.js'
import { createdByStrato, deleteResourceGroup, readResourceGroup } from './resource-group.js'
import { deleteScaleSet } from './scale-set.js'
import { deleteVault, revokeRoles } from './secrets.js'
import { listTaggedGroups, listTaggedResources, type TaggedResource } from './tagged-resources.js'

export async function destroyProject(clients: AzureClients, resourceGroup: string, project: string, location: string, progress: Progress): Promise<{ removed: Record<string, number>; remaining: TaggedResource[] }> {
  const removed: Record<string, number> = {}
  const count = (kind: string, n = 1) => { if (n > 0) removed[kind] = (removed[kind] ?? 0) + n }
  const group = await readResourceGroup(clients, resourceGroup)
  if (group) {
    const sets = await readScaleSets(clients, resourceGroup, project)
    for (const { scaleSet, vms } of sets) {
      const service = scaleSet.tags?.[LABEL.service] ?? scaleSet.name!
      progress.step(`${service}: deleting autoscale setting, role grants and scale set`)
      const changes = await applyAutoscaleSetting(clients, resourceGroup, autoscaleSettingName(project, service), undefined)
      if (changes.deleted.length) count('autoscale setting')
      if (scaleSet.identity?.principalId) count('role assignment', await revokeRoles(clients, scaleSet.identity.principalId))
      await deleteScaleSet(clients, resourceGroup, scaleSet.name!)
      count('scale set')
      count('instance', vms.length)
    }
    progress.step('deleting load balancers, public IP, NSGs, network and vault')
    const network = await clients.network()
    // the internal balancer before the network: its frontends hold addresses in the subnet
    const steps: [string, string, string, () => Promise<unknown>][] = [
      ['load balancer', 'loadBalancers', names.loadBalancer(project), () => network.loadBalancers.delete(resourceGroup, names.loadBalancer(project), clients.lro)],
      ['internal load balancer', 'loadBalancers', names.internalLoadBalancer(project), () => network.loadBalancers.delete(resourceGroup, names.internalLoadBalancer(project), clients.lro)],
      ['public IP', 'publicIPAddresses', names.publicIp(project), () => network.publicIPAddresses.delete(resourceGroup, names.publicIp(project), clients.lro)],
      ['virtual network', 'virtualNetworks', names.vnet(project), () => network.virtualNetworks.delete(resourceGroup, names.vnet(project), clients.lro)],
      ['network security group', 'networkSecurityGroups', names.nsg(project), () => network.networkSecurityGroups.delete(resourceGroup, names.nsg(project), clients.lro)],
      ['network security group', 'networkSecurityGroups', names.privateNsg(project), () => network.networkSecurityGroups.delete(resourceGroup, names.privateNsg(project), clients.lro)],
    ]
    const before = new Set((await listTaggedResources(clients, project)).map((resource) => `${resource.type}/${resource.name}`.toLowerCase()))
    for (const [kind, type, name, work] of steps) {
      if (!before.has(`microsoft.network/${type}/${name}`.toLowerCase())) continue
      await ignoreMissing(work)
      count(kind)
    }
    if (await deleteVault(clients, resourceGroup, vaultName(clients.subscriptionId, resourceGroup, project), location)) count('key vault')
    if (createdByStrato(group, project)) {
      progress.step(`deleting resource group ${resourceGroup}`)
      await deleteResourceGroup(clients, resourceGroup)
      count('resource group')
    }
  }
  const [resources, groups] = await Promise.all([listTaggedResources(clients, project), listTaggedGroups(clients, project)])
  return { removed, remaining: [...resources, ...groups] }
}
