/**
 * What a project's balancers, NSGs and boot scripts hold in the Azure fake,
 * read from its state as Resource Manager stores them: the tests of private
 * services assert on these (no public rule for a private service, its
 * internal rule and address, its NSG's sources, --add-host in boot scripts).
 */
import type { AzureFake } from '../fakes/azure/server.ts'

type Item = { name: string; properties: Record<string, unknown> }

export interface NetworkView {
  /** the public balancer's rules and probes, by name */
  publicRules: string[]
  publicProbes: string[]
  /** the internal balancer's rules: name, frontend port, backend port */
  internalRules: { name: string; frontendPort: number; backendPort: number }[]
  /** the internal balancer's frontends: name, private address, allocation, subnet */
  internalFrontends: { name: string; address: string; allocation: string; subnet: string }[]
  /** the inbound rules of each of the project's NSGs: name -> [rule, source, port] */
  nsgRules: Record<string, [string, string, string][]>
  /** the NSG each service's VMs are behind */
  nsgOf: Record<string, string>
  /** the boot script of each service's current scale set model */
  scriptOf: Record<string, string>
}

export function networkView(fake: AzureFake, resourceGroup: string, project: string): NetworkView {
  const base = `/subscriptions/${fake.subscriptionId}/resourceGroups/${resourceGroup}/providers`
  const items = (id: string, collection: string) => ((fake.state.get(id)?.properties[collection] as Item[] | undefined) ?? [])
  const lb = `${base}/Microsoft.Network/loadBalancers/strato-${project}-lb`
  const ilb = `${base}/Microsoft.Network/loadBalancers/strato-${project}-ilb`
  const nsgRules: NetworkView['nsgRules'] = {}
  for (const nsg of [...fake.state.resources.values()].filter((resource) => resource.type === 'Microsoft.Network/networkSecurityGroups' && resource.tags?.['strato.project'] === project)) {
    nsgRules[nsg.name] = (nsg.properties.securityRules as Item[]).map((rule) => [rule.name, String(rule.properties.sourceAddressPrefix), String(rule.properties.destinationPortRange)])
  }
  const nsgOf: Record<string, string> = {}
  const scriptOf: Record<string, string> = {}
  for (const [id, set] of fake.state.scaleSets) {
    const resource = fake.state.get(id)
    const service = resource?.tags?.['strato.service']
    if (!service || resource.tags?.['strato.project'] !== project) continue
    const model = set.models.get(set.current)!
    scriptOf[service] = model.customData
    const nic = (model.profile.networkProfile as { networkInterfaceConfigurations: { properties: { networkSecurityGroup: { id: string } } }[] }).networkInterfaceConfigurations[0]
    nsgOf[service] = nic.properties.networkSecurityGroup.id.split('/').at(-1)!
  }
  return {
    publicRules: items(lb, 'loadBalancingRules').map((rule) => rule.name),
    publicProbes: items(lb, 'probes').map((probe) => probe.name),
    internalRules: items(ilb, 'loadBalancingRules').map((rule) => ({ name: rule.name, frontendPort: Number(rule.properties.frontendPort), backendPort: Number(rule.properties.backendPort) })),
    internalFrontends: items(ilb, 'frontendIPConfigurations').map((frontend) => ({
      name: frontend.name, address: String(frontend.properties.privateIPAddress), allocation: String(frontend.properties.privateIPAllocationMethod),
      subnet: String((frontend.properties.subnet as { id?: string } | undefined)?.id ?? ''),
    })),
    nsgRules, nsgOf, scriptOf,
  }
}
