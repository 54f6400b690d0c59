/**
 * Microsoft.Network: virtual networks and subnets, network security groups
 * and their rules, public IP addresses and load balancers. PUT and DELETE
 * answer as long-running operations; references between them are checked,
 * and deleting something still in use is refused as Azure refuses it.
 */
import { armError, badRequest, clone, isObject, notFound, ok, page, uuid, type FakeResponse } from './http.ts'
import {
  deleteLongRunning, envelope, listOfType, putLongRunning, registerViewer, requireGroup, requireLocation, resourceIdOf, sameId, validateTags, viewOf, type Ctx,
} from './routing.ts'
import { inRange, isReserved, isValidAddress, lowestFree, rangeOf } from './private-ip.ts'
import type { ArmResource } from './state.ts'

const NS = 'Microsoft.Network'
const TYPES: Record<string, string> = {
  virtualnetworks: 'Microsoft.Network/virtualNetworks',
  networksecuritygroups: 'Microsoft.Network/networkSecurityGroups',
  publicipaddresses: 'Microsoft.Network/publicIPAddresses',
  loadbalancers: 'Microsoft.Network/loadBalancers',
}

const DEFAULT_RULES = [
  ['AllowVnetInBound', 'Inbound', 'Allow', 65000, 'VirtualNetwork', 'VirtualNetwork', 'Allow inbound traffic from all VMs in VNET'],
  ['AllowAzureLoadBalancerInBound', 'Inbound', 'Allow', 65001, 'AzureLoadBalancer', '*', 'Allow inbound traffic from azure load balancer'],
  ['DenyAllInBound', 'Inbound', 'Deny', 65500, '*', '*', 'Deny all inbound traffic'],
  ['AllowVnetOutBound', 'Outbound', 'Allow', 65000, 'VirtualNetwork', 'VirtualNetwork', 'Allow outbound traffic from all VMs to all VMs in VNET'],
  ['AllowInternetOutBound', 'Outbound', 'Allow', 65001, '*', 'Internet', 'Allow outbound traffic from all VMs to Internet'],
  ['DenyAllOutBound', 'Outbound', 'Deny', 65500, '*', '*', 'Deny all outbound traffic'],
] as const

type Item = { name?: string; id?: string; properties?: Record<string, unknown> }

/** Gives each named sub-resource of a collection its id and provisioning state. */
function fillItems(parentId: string, collection: string, items: unknown): Item[] | FakeResponse {
  if (items === undefined) return []
  if (!Array.isArray(items)) return badRequest(`${collection} must be an array.`, 'InvalidRequestFormat')
  const seen = new Set<string>()
  const out: Item[] = []
  for (const raw of items as Item[]) {
    if (!raw?.name) return badRequest(`Every entry of ${collection} needs a name.`, 'InvalidRequestFormat')
    if (seen.has(raw.name.toLowerCase())) return badRequest(`${collection} has two entries named ${raw.name}.`, 'DuplicateResourceName')
    seen.add(raw.name.toLowerCase())
    out.push({ ...clone(raw), id: `${parentId}/${collection}/${raw.name}`, properties: { ...clone(raw.properties ?? {}), provisioningState: 'Succeeded' } })
  }
  return out
}

function isError(value: unknown): value is FakeResponse {
  return isObject(value) && typeof value.status === 'number' && !Array.isArray(value)
}

function validateSecurityRule(rule: Item): FakeResponse | undefined {
  const p = rule.properties ?? {}
  for (const field of ['protocol', 'access', 'direction', 'priority']) {
    if (p[field] === undefined) return badRequest(`Security rule ${rule.name} has no ${field}.`, 'SecurityRuleParameterNotSpecified')
  }
  const priority = Number(p.priority)
  if (!Number.isInteger(priority) || priority < 100 || priority > 4096) {
    return badRequest(`Security rule ${rule.name} has invalid priority ${p.priority}; it must be between 100 and 4096.`, 'SecurityRuleInvalidPriority')
  }
  if (p.sourceAddressPrefix === undefined && p.sourceAddressPrefixes === undefined) return badRequest(`Security rule ${rule.name} has no source address prefix.`, 'SecurityRuleParameterNotSpecified')
  if (p.destinationPortRange === undefined && p.destinationPortRanges === undefined) return badRequest(`Security rule ${rule.name} has no destination port range.`, 'SecurityRuleParameterNotSpecified')
  // the plural fields take addresses and ranges only, never a service tag
  for (const field of ['sourceAddressPrefixes', 'destinationAddressPrefixes'] as const) {
    const tag = ((p[field] as string[] | undefined) ?? []).find((prefix) => ['virtualnetwork', 'internet', 'azureloadbalancer', '*'].includes(String(prefix).toLowerCase()))
    if (tag !== undefined) {
      const singular = field === 'sourceAddressPrefixes' ? 'SourceAddressPrefixes' : 'DestinationAddressPrefixes'
      return badRequest(`Security rule parameter ${singular} for rule with Id ${rule.id} cannot specify existing VIRTUALNETWORK, INTERNET, AZURELOADBALANCER, '*' or system tags. Unsupported value used: ${tag}.`, 'SecurityRuleParameterContainsUnsupportedValue')
    }
  }
  return undefined
}

function prepareNsg(ctx: Ctx, resource: ArmResource): FakeResponse | undefined {
  const rules = fillItems(resource.id, 'securityRules', resource.properties.securityRules)
  if (isError(rules)) return rules
  const priorities = new Set<string>()
  for (const rule of rules) {
    const invalid = validateSecurityRule(rule)
    if (invalid) return invalid
    const key = `${rule.properties!.direction}:${rule.properties!.priority}`
    if (priorities.has(key)) return badRequest(`Two security rules have priority ${rule.properties!.priority} in the same direction.`, 'SecurityRulesConflict')
    priorities.add(key)
  }
  resource.properties.securityRules = rules
  resource.properties.defaultSecurityRules = DEFAULT_RULES.map(([name, direction, access, priority, source, destination, description]) => ({
    name, id: `${resource.id}/defaultSecurityRules/${name}`,
    properties: {
      provisioningState: 'Succeeded', description, protocol: '*', sourcePortRange: '*', destinationPortRange: '*',
      sourceAddressPrefix: source, destinationAddressPrefix: destination, access, priority, direction,
      sourcePortRanges: [], destinationPortRanges: [], sourceAddressPrefixes: [], destinationAddressPrefixes: [],
    },
  }))
  resource.properties.resourceGuid ??= uuid()
  return undefined
}

function prepareVnet(ctx: Ctx, resource: ArmResource): FakeResponse | undefined {
  const space = resource.properties.addressSpace as { addressPrefixes?: string[] } | undefined
  if (!space?.addressPrefixes?.length) return badRequest('The virtual network needs addressSpace.addressPrefixes.', 'InvalidAddressSpace')
  const subnets = fillItems(resource.id, 'subnets', resource.properties.subnets)
  if (isError(subnets)) return subnets
  for (const subnet of subnets) {
    const invalid = checkSubnet(ctx, subnet)
    if (invalid) return invalid
  }
  resource.properties.subnets = subnets
  resource.properties.resourceGuid ??= uuid()
  return undefined
}

function checkSubnet(ctx: Ctx, subnet: Item): FakeResponse | undefined {
  const p = subnet.properties ?? {}
  if (!p.addressPrefix && !(p.addressPrefixes as unknown[] | undefined)?.length) return badRequest(`Subnet ${subnet.name} needs an addressPrefix.`, 'InvalidAddressPrefix')
  const nsg = (p.networkSecurityGroup as { id?: string } | undefined)?.id
  if (nsg && !ctx.state.get(nsg)) return badRequest(`Resource ${nsg} referenced by subnet ${subnet.name} was not found.`, 'InvalidResourceReference')
  return undefined
}

function preparePublicIp(ctx: Ctx, resource: ArmResource): FakeResponse | undefined {
  const sku = String((resource.sku as { name?: string } | undefined)?.name ?? 'Standard')
  resource.sku = { name: sku, tier: String((resource.sku as { tier?: string } | undefined)?.tier ?? 'Regional') }
  if (sku === 'Standard' && resource.properties.publicIPAllocationMethod === 'Dynamic') {
    return badRequest('Standard sku public IP addresses must have the Static allocation method.', 'StandardSkuPublicIPAddressesMustBeStatic')
  }
  resource.properties.publicIPAllocationMethod ??= 'Static'
  resource.properties.publicIPAddressVersion ??= 'IPv4'
  resource.properties.idleTimeoutInMinutes ??= 4
  resource.properties.ipTags ??= []
  resource.properties.resourceGuid ??= uuid()
  return undefined
}

/** A public IP gets its address when its creation completes, as Azure allocates it. */
function allocateAddress(ctx: Ctx, id: string): void {
  const resource = ctx.state.get(id)
  if (resource && !resource.properties.ipAddress) resource.properties.ipAddress = ctx.state.nextAddress('203.0')
}

function prepareLoadBalancer(ctx: Ctx, resource: ArmResource): FakeResponse | undefined {
  resource.sku = { name: String((resource.sku as { name?: string } | undefined)?.name ?? 'Basic'), tier: 'Regional' }
  const collections = ['frontendIPConfigurations', 'backendAddressPools', 'probes', 'loadBalancingRules', 'outboundRules', 'inboundNatRules', 'inboundNatPools'] as const
  const filled: Record<string, Item[]> = {}
  for (const collection of collections) {
    const items = fillItems(resource.id, collection, resource.properties[collection])
    if (isError(items)) return items
    filled[collection] = items
    resource.properties[collection] = items
  }
  const within = (collection: string, ref: unknown) => {
    const id = (ref as { id?: string } | undefined)?.id
    return id !== undefined && filled[collection].some((item) => sameId(item.id, id))
  }
  const claimed = new Map<string, string>()
  for (const frontend of filled.frontendIPConfigurations) {
    const ip = (frontend.properties?.publicIPAddress as { id?: string } | undefined)?.id
    const subnet = (frontend.properties?.subnet as { id?: string } | undefined)?.id
    if (ip && subnet) return badRequest(`Frontend IP Configuration ${frontend.id} must not reference both a Subnet and a Public IP Address.`, 'FrontendIPConfigHasBothSubnetAndPublicIP')
    if (!ip && !subnet) return badRequest(`Frontend IP Configuration ${frontend.id} must reference either a Subnet or a Public IP Address.`, 'FrontendIPConfigHasNoSubnetOrPublicIP')
    if (ip && !ctx.state.get(ip)) return badRequest(`Resource ${ip} referenced by resource ${resource.id} was not found.`, 'InvalidResourceReference')
    if (ip) frontend.properties!.privateIPAllocationMethod ??= 'Dynamic'
    const refused = subnet ? placeInSubnet(ctx, resource, frontend, subnet, claimed) : undefined
    if (refused) return refused
  }
  for (const probe of filled.probes) {
    const p = probe.properties ?? {}
    if (!['Http', 'Https', 'Tcp'].includes(String(p.protocol))) return badRequest(`Probe ${probe.name} has an invalid protocol.`, 'InvalidProbeProtocol')
    if ((p.protocol === 'Http' || p.protocol === 'Https') && typeof p.requestPath !== 'string') return badRequest(`HTTP probe ${probe.name} needs a requestPath.`, 'ProbeRequestPathRequired')
    p.intervalInSeconds ??= 15
    p.numberOfProbes ??= 1
    p.probeThreshold ??= 1
  }
  // a pool a scale set's model still names cannot go (Azure's message; no recording shows its code)
  for (const pool of (ctx.state.get(resource.id)?.properties.backendAddressPools as Item[] | undefined) ?? []) {
    if (filled.backendAddressPools.some((item) => sameId(item.id, pool.id ?? ''))) continue
    const user = listOfType(ctx, 'Microsoft.Compute/virtualMachineScaleSets').find((set) => JSON.stringify(set.properties).toLowerCase().includes(`"${pool.id!.toLowerCase()}"`))
    if (user) return badRequest(`Cannot remove backend address pool ${pool.name} from load balancer since it is in use by virtual machine scale set ${user.id}.`, 'BackendAddressPoolInUseByVirtualMachineScaleSet')
  }
  const outboundPools = new Set(filled.outboundRules.map((rule) => String((rule.properties?.backendAddressPool as { id?: string } | undefined)?.id ?? '').toLowerCase()))
  const frontPorts = new Set<string>()
  for (const rule of filled.loadBalancingRules) {
    const p = rule.properties ?? {}
    if (!within('frontendIPConfigurations', p.frontendIPConfiguration)) return badRequest(`Load balancing rule ${rule.name} must reference a frontend IP configuration of the load balancer.`, 'InvalidResourceReference')
    if (p.backendAddressPool && !within('backendAddressPools', p.backendAddressPool)) return badRequest(`Load balancing rule ${rule.name} references an unknown backend pool.`, 'InvalidResourceReference')
    if (p.probe && !within('probes', p.probe)) return badRequest(`Load balancing rule ${rule.name} references an unknown probe.`, 'InvalidResourceReference')
    const key = `${(p.frontendIPConfiguration as { id: string }).id.toLowerCase()}:${p.protocol}:${p.frontendPort}`
    if (frontPorts.has(key)) return badRequest(`Load balancing rules ${rule.name} and another use the same frontend IP configuration, protocol and port ${p.frontendPort}.`, 'LoadBalancingRuleMustNotUseSameFrontendIPConfigurationAndPort')
    frontPorts.add(key)
    const pool = String((p.backendAddressPool as { id?: string } | undefined)?.id ?? '').toLowerCase()
    if (outboundPools.has(pool) && p.disableOutboundSnat !== true) {
      return badRequest(`Load balancing rule ${rule.name} must disable outbound SNAT: its backend pool is used by an outbound rule.`, 'LoadBalancingRuleMustDisableSNATSinceSameFrontendIPConfigurationIsReferencedByOutboundRule')
    }
    p.enableFloatingIP ??= false
    p.idleTimeoutInMinutes ??= 4
    p.loadDistribution ??= 'Default'
  }
  for (const rule of filled.outboundRules) {
    if (!within('backendAddressPools', rule.properties?.backendAddressPool)) return badRequest(`Outbound rule ${rule.name} references an unknown backend pool.`, 'InvalidResourceReference')
  }
  resource.properties.resourceGuid ??= uuid()
  return undefined
}

/** The subnet an id names, from its virtual network. */
function findSubnet(ctx: Ctx, subnetId: string): Item | undefined {
  const [vnetId, name] = subnetId.split(/\/subnets\//i)
  return ((ctx.state.get(vnetId)?.properties.subnets as Item[] | undefined) ?? []).find((subnet) => subnet.name?.toLowerCase() === name?.toLowerCase())
}

/** Which other load balancer frontend in the subnet holds each private address. */
function addressesInSubnet(ctx: Ctx, subnetId: string, except: string): Map<string, string> {
  const held = new Map<string, string>()
  for (const lb of listOfType(ctx, TYPES.loadbalancers)) {
    if (sameId(lb.id, except)) continue
    for (const frontend of (lb.properties.frontendIPConfigurations as Item[]) ?? []) {
      const p = frontend.properties ?? {}
      if (sameId((p.subnet as { id?: string } | undefined)?.id, subnetId) && typeof p.privateIPAddress === 'string') held.set(p.privateIPAddress, frontend.id!)
    }
  }
  return held
}

/**
 * An internal frontend's private address, as Azure gives it: a Static one
 * must be a usable address of the subnet that no other IP configuration
 * holds; a Dynamic one keeps the address it had, else takes the lowest free.
 */
function placeInSubnet(ctx: Ctx, balancer: ArmResource, frontend: Item, subnetId: string, claimed: Map<string, string>): FakeResponse | undefined {
  const p = frontend.properties!
  const subnet = findSubnet(ctx, subnetId)
  if (!subnet) return badRequest(`Resource ${subnetId} referenced by resource ${balancer.id} was not found.`, 'InvalidResourceReference')
  const prefix = String(subnet.properties?.addressPrefix ?? (subnet.properties?.addressPrefixes as string[] | undefined)?.[0] ?? '')
  const range = rangeOf(prefix)
  if (!range) return badRequest(`Subnet ${subnetId} has no usable address prefix.`, 'InvalidAddressPrefix')
  const held = addressesInSubnet(ctx, subnetId, balancer.id)
  const method = String(p.privateIPAllocationMethod ?? 'Dynamic')
  if (method !== 'Static' && method !== 'Dynamic') return badRequest(`Frontend ${frontend.id} has an invalid privateIPAllocationMethod ${method}.`, 'InvalidRequestFormat')
  let address: string | undefined
  if (method === 'Static') {
    address = typeof p.privateIPAddress === 'string' ? p.privateIPAddress : undefined
    // no recording shows the exact code of a Static frontend without an address
    if (!address || !isValidAddress(address)) return badRequest(`Frontend ${frontend.id} has the Static allocation method and needs a valid privateIPAddress.`, 'InvalidRequestFormat')
    if (!inRange(range, address)) return badRequest(`IP configuration ${frontend.id} is referencing a private IP address ${address} which is not in the subnet's address prefix ${prefix}.`, 'PrivateIPAddressNotInSubnet')
    if (isReserved(range, address)) return badRequest(`Private static IP address ${address} falls within reserved IP range of subnet prefix ${prefix}.`, 'PrivateIPAddressInReservedRange')
    if (held.has(address)) return badRequest(`IP configuration ${frontend.id} is using the private IP address ${address} which is already allocated to resource ${held.get(address)}.`, 'PrivateIPAddressIsAllocated')
  } else {
    const before = ((ctx.state.get(balancer.id)?.properties.frontendIPConfigurations as Item[] | undefined) ?? []).find((item) => item.name === frontend.name)
    const kept = before?.properties?.privateIPAddress as string | undefined
    address = kept && sameId((before?.properties?.subnet as { id?: string } | undefined)?.id, subnetId) && !claimed.has(kept) ? kept
      : lowestFree(range, new Set([...held.keys(), ...claimed.keys()]))
    if (!address) return badRequest(`Subnet ${subnetId} has no free address left.`, 'SubnetIsFull')
  }
  if (claimed.has(address)) {
    return badRequest(`IP configuration ${frontend.id} is requesting the same private IP address ${address} as IP Configurations ${claimed.get(address)}. Private IP address ${address} from the subnet can be assigned to only one IP configuration.`, 'MultipleIpConfigsRequestSamePrivateIpAddress')
  }
  claimed.set(address, frontend.id!)
  Object.assign(p, { privateIPAddress: address, privateIPAllocationMethod: method, privateIPAddressVersion: p.privateIPAddressVersion ?? 'IPv4' })
  return undefined
}

const PREPARE: Record<string, (ctx: Ctx, resource: ArmResource) => FakeResponse | undefined> = {
  virtualnetworks: prepareVnet, networksecuritygroups: prepareNsg, publicipaddresses: preparePublicIp, loadbalancers: prepareLoadBalancer,
}

/** Which other resource still uses this one (so it cannot be deleted), or undefined. */
function usedBy(ctx: Ctx, resource: ArmResource): { code: string; by: string } | undefined {
  const id = resource.id.toLowerCase()
  const text = (other: ArmResource) => JSON.stringify(other).toLowerCase()
  for (const other of ctx.state.resources.values()) {
    if (other.id.toLowerCase() === id || other.id.toLowerCase().startsWith(`${id}/`)) continue
    const body = text(other)
    if (!body.includes(`"${id}`) && !body.includes(`"${id}/`)) continue
    const type = resource.type.toLowerCase()
    if (type.endsWith('publicipaddresses')) return { code: 'PublicIPAddressInUse', by: other.id }
    if (type.endsWith('networksecuritygroups')) return { code: 'InUseNetworkSecurityGroupCannotBeDeleted', by: other.id }
    if (type.endsWith('loadbalancers')) return { code: 'LoadBalancerInUseByVirtualMachineScaleSet', by: other.id }
    if (type.endsWith('virtualnetworks') || type.endsWith('subnets')) return { code: 'InUseSubnetCannotBeDeleted', by: other.id }
  }
  return undefined
}

/** Adds back-references Azure shows on GET: which frontend uses a public IP, which subnets use an NSG. */
function view(ctx: Ctx, resource: ArmResource): ArmResource {
  const type = resource.type.toLowerCase()
  if (type.endsWith('publicipaddresses')) {
    for (const lb of listOfType(ctx, TYPES.loadbalancers)) {
      for (const frontend of (lb.properties.frontendIPConfigurations as Item[]) ?? []) {
        if (sameId((frontend.properties?.publicIPAddress as { id?: string } | undefined)?.id, resource.id)) resource.properties.ipConfiguration = { id: frontend.id }
      }
    }
  }
  if (type.endsWith('networksecuritygroups')) {
    const subnets: { id: string }[] = []
    for (const vnet of listOfType(ctx, TYPES.virtualnetworks)) {
      for (const subnet of (vnet.properties.subnets as Item[]) ?? []) {
        if (sameId((subnet.properties?.networkSecurityGroup as { id?: string } | undefined)?.id, resource.id)) subnets.push({ id: subnet.id! })
      }
    }
    if (subnets.length) resource.properties.subnets = subnets
  }
  return resource
}
for (const type of Object.values(TYPES)) registerViewer(type, view)

export function networkRoute(ctx: Ctx): FakeResponse | undefined {
  const { route, request, state } = ctx
  const [typeSegment, name, child, childName, ...more] = route.rest
  const type = TYPES[(typeSegment ?? '').toLowerCase()]
  if (!type || more.length) return undefined
  if (name === undefined) {
    if (request.method !== 'GET') return undefined
    return (route.resourceGroup ? requireGroup(ctx) : undefined) ?? ok(page(request, listOfType(ctx, type).map((resource) => viewOf(ctx, resource)), state.options.pageSize))
  }
  if (!route.resourceGroup) return undefined
  const missingGroup = requireGroup(ctx)
  if (missingGroup) return missingGroup
  const id = resourceIdOf(route, [typeSegment, name])
  const existing = state.get(id)
  const key = typeSegment.toLowerCase()

  if (child !== undefined) return childRoute(ctx, key, existing, child, childName)

  switch (request.method) {
    case 'GET':
      return existing ? ok(viewOf(ctx, existing)) : notFound(type, name, route.resourceGroup)
    case 'PUT': {
      const body = request.json
      if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
      const invalid = requireLocation(body) ?? validateTags(body)
      if (invalid) return invalid
      const resource = envelope(existing?.id ?? id, existing?.name ?? name, type, body, existing)
      resource.etag = `W/"${uuid()}"`
      const refused = PREPARE[key](ctx, resource)
      if (refused) return refused
      if (existing?.properties.ipAddress) resource.properties.ipAddress = existing.properties.ipAddress
      return putLongRunning(ctx, resource, !existing, 'Updating', NS, key === 'publicipaddresses' ? () => allocateAddress(ctx, resource.id) : undefined)
    }
    case 'PATCH': {
      if (!existing) return notFound(type, name, route.resourceGroup)
      const body = request.json
      if (!isObject(body) || (Object.keys(body).some((field) => field !== 'tags'))) return badRequest('Only tags can be updated with PATCH.', 'InvalidRequestFormat')
      const invalid = validateTags(body)
      if (invalid) return invalid
      existing.tags = clone(body.tags) as Record<string, string>
      return ok(viewOf(ctx, existing))
    }
    case 'DELETE': {
      if (!existing) return { status: 204 }
      const user = usedBy(ctx, existing)
      if (user) return badRequest(`${type.split('/')[1]} ${existing.name} is in use by ${user.by} and cannot be deleted.`, user.code)
      return deleteLongRunning(ctx, existing, NS)
    }
    default:
      return undefined
  }
}

/** Subnets of a virtual network and security rules of an NSG, addressed on their own. */
function childRoute(ctx: Ctx, parentKey: string, parent: ArmResource | undefined, child: string, childName: string | undefined): FakeResponse | undefined {
  const collection = parentKey === 'virtualnetworks' && child.toLowerCase() === 'subnets' ? 'subnets'
    : parentKey === 'networksecuritygroups' && child.toLowerCase() === 'securityrules' ? 'securityRules' : undefined
  if (!collection) return undefined
  if (!parent) return notFound(TYPES[parentKey], ctx.route.rest[1], ctx.route.resourceGroup)
  const items = (parent.properties[collection] as Item[] | undefined) ?? []
  if (childName === undefined) return ctx.request.method === 'GET' ? ok({ value: clone(items) }) : undefined
  const index = items.findIndex((item) => item.name?.toLowerCase() === childName.toLowerCase())
  switch (ctx.request.method) {
    case 'GET':
      return index >= 0 ? ok(clone(items[index])) : armError(404, 'NotFound', `Resource ${parent.id}/${collection}/${childName} not found.`)
    case 'PUT': {
      const body = ctx.request.json
      if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
      const item: Item = { name: childName, id: `${parent.id}/${collection}/${childName}`, properties: { ...clone(body.properties as Record<string, unknown> ?? {}), provisioningState: 'Succeeded' } }
      const invalid = collection === 'subnets' ? checkSubnet(ctx, item) : validateSecurityRule(item)
      if (invalid) return invalid
      const next = index >= 0 ? items.map((existing, i) => (i === index ? item : existing)) : [...items, item]
      parent.properties[collection] = next
      const answer = putLongRunning(ctx, parent, false, 'Updating', NS)
      return { ...answer, status: index >= 0 ? 200 : 201, body: { ...item, properties: { ...item.properties, provisioningState: 'Updating' } } }
    }
    case 'DELETE': {
      if (index < 0) return { status: 204 }
      const item = items[index]
      if (collection === 'subnets') {
        const pseudo = { ...parent, id: item.id!, type: `${TYPES[parentKey]}/subnets` } as ArmResource
        const user = usedBy(ctx, pseudo)
        if (user) return badRequest(`Subnet ${childName} is in use by ${user.by} and cannot be deleted.`, user.code)
      }
      return deleteLongRunning(ctx, parent, NS, () => {
        parent.properties[collection] = ((parent.properties[collection] as Item[]) ?? []).filter((existing) => existing.name !== item.name)
        parent.properties.provisioningState = 'Succeeded'
      })
    }
    default:
      return undefined
  }
}
