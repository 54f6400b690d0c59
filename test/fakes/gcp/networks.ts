/**
 * The fake's view of a project's network: the default network's auto-mode
 * subnets (one per region, on the ranges Google gives them), regional
 * addresses reserved in them, and what an INTERNAL forwarding rule may do
 * with an address. The refusals are Compute Engine's: an IP taken by another
 * resource is 409 IP_IN_USE_BY_ANOTHER_RESOURCE; rules may share an address
 * only when it was reserved with purpose SHARED_LOADBALANCER_VIP, on ports no
 * other rule of that address uses (at most ten rules); an address in use
 * cannot be released.
 */
import { type ComputeStore, lastSegment, link, relativeOf, type Resource } from './compute-store.ts'
import { computeError, invalid } from './http-errors.ts'

/** The default network's subnet ranges, as auto mode creates them. */
export const AUTO_SUBNET_RANGES: Record<string, string> = {
  'asia-east1': '10.140.0.0/20', 'asia-east2': '10.170.0.0/20', 'asia-northeast1': '10.146.0.0/20', 'asia-northeast2': '10.174.0.0/20',
  'asia-northeast3': '10.178.0.0/20', 'asia-south1': '10.160.0.0/20', 'asia-southeast1': '10.148.0.0/20', 'asia-southeast2': '10.184.0.0/20',
  'australia-southeast1': '10.152.0.0/20', 'europe-north1': '10.166.0.0/20', 'europe-west1': '10.132.0.0/20', 'europe-west2': '10.154.0.0/20',
  'europe-west3': '10.156.0.0/20', 'europe-west4': '10.164.0.0/20', 'europe-west6': '10.172.0.0/20', 'northamerica-northeast1': '10.162.0.0/20',
  'southamerica-east1': '10.158.0.0/20', 'us-central1': '10.128.0.0/20', 'us-east1': '10.142.0.0/20', 'us-east4': '10.150.0.0/20',
  'us-west1': '10.138.0.0/20', 'us-west2': '10.168.0.0/20', 'us-west3': '10.180.0.0/20', 'us-west4': '10.182.0.0/20',
}

/** Rules one SHARED_LOADBALANCER_VIP address takes. */
const SHARED_RULES = 10

interface NetworkContext { store: ComputeStore; project: string; region?: string }

const toNumber = (ip: string) => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0)
const toIp = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')

function rangeOf(cidr: string): { first: number; last: number } {
  const [base, bits] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const first = toNumber(base) - (toNumber(base) % size)
  return { first, last: first + size - 1 }
}

export function inRange(ip: string, cidr: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false
  const { first, last } = rangeOf(cidr)
  return toNumber(ip) >= first && toNumber(ip) <= last
}

/** The subnets the default network has: the project's default network lists them all. */
export function defaultSubnetLinks(project: string): string[] {
  return Object.keys(AUTO_SUBNET_RANGES).map((region) => link(`projects/${project}/regions/${region}/subnetworks/default`))
}

/** The default subnet of a region, as subnetworks.get answers it. */
export function defaultSubnet(project: string, region: string): Resource | undefined {
  const range = AUTO_SUBNET_RANGES[region]
  if (!range) return undefined
  return {
    kind: 'compute#subnetwork', id: String(7_100_000_000_000_000_000n + BigInt(toNumber(range.split('/')[0]))), creationTimestamp: '2020-01-01T00:00:00.000-07:00',
    name: 'default', network: link(`projects/${project}/global/networks/default`), ipCidrRange: range, gatewayAddress: toIp(rangeOf(range).first + 1),
    region: link(`projects/${project}/regions/${region}`), selfLink: link(`projects/${project}/regions/${region}/subnetworks/default`),
    privateIpGoogleAccess: false, fingerprint: 'ExampleFp0A=', purpose: 'PRIVATE', stackType: 'IPV4_ONLY',
  }
}

/** The subnet a request names (or the region's default one when it names none). */
function subnetOf(context: NetworkContext, reference: unknown, field: string): Resource {
  const region = context.region!
  const relative = reference === undefined ? `projects/${context.project}/regions/${region}/subnetworks/default` : relativeOf(String(reference), context.project)
  const match = /^projects\/[^/]+\/regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(relative)
  const subnet = match && match[2] === 'default' ? defaultSubnet(context.project, match[1]) : undefined
  if (!subnet) throw invalid(`Invalid value for field '${field}': '${String(reference)}'. The resource '${relative}' was not found`)
  if (match![1] !== region) throw invalid(`Invalid value for field '${field}': '${String(reference)}'. Subnetwork must be in the same region as the resource (${region}).`)
  return subnet
}

const addressesPath = (context: NetworkContext) => `projects/${context.project}/regions/${context.region}/addresses`
const rulesPath = (context: NetworkContext) => `projects/${context.project}/regions/${context.region}/forwardingRules`

/** The regional forwarding rules on an IP, but `except`. */
function rulesOn(context: NetworkContext, ip: string, except?: string): Resource[] {
  return [...context.store.collection(rulesPath(context)).values()].filter((rule) => rule.IPAddress === ip && rule.name !== except)
}

function ipTaken(context: NetworkContext, ip: string): boolean {
  return [...context.store.collection(addressesPath(context)).values()].some((address) => address.address === ip) || rulesOn(context, ip).length > 0
}

const ipInUse = (ip: string) => computeError(409, 'IP_IN_USE_BY_ANOTHER_RESOURCE', `IP '${ip}' is already being used by another resource.`)

/** The first free IP of a subnet, after the addresses Google keeps (network, gateway, the last two). */
function freeIp(context: NetworkContext, subnet: Resource): string {
  const { first, last } = rangeOf(String(subnet.ipCidrRange))
  // from the second /24 up: the fake's instances take the first one
  for (let value = first + 258; value < last - 1; value++) if (!ipTaken(context, toIp(value))) return toIp(value)
  throw computeError(400, 'IP_SPACE_EXHAUSTED', `IP space of '${relativeOf(String(subnet.selfLink), context.project)}' is exhausted.`)
}

/** addresses.insert: an INTERNAL address gets an IP of its subnet (the one asked for, if free), an EXTERNAL one a public IP. */
export function addressDefaults(body: Record<string, unknown>, context: NetworkContext): Record<string, unknown> {
  const addressType = String(body.addressType ?? 'EXTERNAL')
  const region = link(`projects/${context.project}/regions/${context.region}`)
  const common = { networkTier: 'PREMIUM', status: 'RESERVED', labelFingerprint: '42WmSpB8rSM=', ...body, addressType, region }
  if (addressType === 'EXTERNAL') {
    if (body.subnetwork !== undefined) throw invalid("Invalid value for field 'resource.subnetwork': an EXTERNAL address cannot name a subnetwork.")
    if (body.purpose === 'SHARED_LOADBALANCER_VIP') throw invalid("Invalid value for field 'resource.purpose': 'SHARED_LOADBALANCER_VIP'. This purpose is only for INTERNAL addresses.")
    return { ...common, address: body.address ?? `35.195.${Math.floor(Math.random() * 254) + 1}.${Math.floor(Math.random() * 254) + 1}` }
  }
  if (addressType !== 'INTERNAL') throw invalid(`Invalid value for field 'resource.addressType': '${addressType}'. Must be one of [EXTERNAL, INTERNAL].`)
  const subnet = subnetOf(context, body.subnetwork, 'resource.subnetwork')
  let address = body.address === undefined ? undefined : String(body.address)
  if (address !== undefined) {
    if (!inRange(address, String(subnet.ipCidrRange))) throw invalid(`Invalid value for field 'resource.address': '${address}'. Requested internal IP is outside the subnetwork CIDR range.`)
    if (ipTaken(context, address)) throw ipInUse(address)
  }
  address ??= freeIp(context, subnet)
  return { ...common, purpose: body.purpose ?? 'GCE_ENDPOINT', subnetwork: subnet.selfLink, network: subnet.network, address, prefixLength: 32 }
}

/** The rules using an address, as the API lists them in `users` (and IN_USE while there are any). */
export function addressView(address: Resource, context: NetworkContext): Record<string, unknown> {
  const users = rulesOn({ ...context, region: lastSegment(String(address.region)) }, String(address.address)).map((rule) => rule.selfLink)
  return users.length ? { status: 'IN_USE', users } : {}
}

export function addressUser(address: Resource, context: NetworkContext): string | undefined {
  const [user] = rulesOn(context, String(address.address))
  return user ? relativeOf(user.selfLink, context.project) : undefined
}

const portsOf = (rule: Record<string, unknown>): string[] | 'ALL' => (rule.allPorts ? 'ALL' : ((rule.ports as string[] | undefined) ?? []).map(String))

/**
 * An INTERNAL regional forwarding rule: in a subnet of its region, on an IP of
 * that subnet (a reserved address by link or IP, else an ephemeral one),
 * sharing it only as SHARED_LOADBALANCER_VIP allows. The API keeps the IP
 * itself in IPAddress, whatever form the request used.
 */
export function internalRuleDefaults(body: Record<string, unknown>, context: NetworkContext): Record<string, unknown> {
  if (body.portRange !== undefined) throw invalid("Invalid value for field 'resource.portRange': an INTERNAL forwarding rule takes ports or allPorts.")
  const ports = portsOf(body)
  if (ports !== 'ALL' && (ports.length === 0 || ports.length > 5)) throw invalid("Invalid value for field 'resource.ports': an INTERNAL forwarding rule needs 1 to 5 ports, or allPorts.")
  const subnet = subnetOf(context, body.subnetwork, 'resource.subnetwork')
  const given = body.IPAddress === undefined ? undefined : String(body.IPAddress)
  const reserved = given === undefined ? undefined : /^\d+\.\d+\.\d+\.\d+$/.test(given)
    ? [...context.store.collection(addressesPath(context)).values()].find((address) => address.address === given)
    : context.store.resolve(given, context.project)
  if (given !== undefined && !/^\d+\.\d+\.\d+\.\d+$/.test(given) && !reserved) {
    throw invalid(`Invalid value for field 'resource.IPAddress': '${given}'. The resource '${relativeOf(given, context.project)}' was not found`)
  }
  if (reserved && reserved.addressType !== 'INTERNAL') throw invalid(`Invalid value for field 'resource.IPAddress': '${given}'. An INTERNAL forwarding rule needs an INTERNAL address.`)
  if (reserved && relativeOf(String(reserved.subnetwork), context.project) !== relativeOf(String(subnet.selfLink), context.project)) {
    throw invalid(`Invalid value for field 'resource.IPAddress': '${given}'. The address is not in the forwarding rule's subnetwork.`)
  }
  const ip = reserved ? String(reserved.address) : given ?? freeIp(context, subnet)
  if (!inRange(ip, String(subnet.ipCidrRange))) throw invalid(`Invalid value for field 'resource.IPAddress': '${ip}'. Requested internal IP is outside the subnetwork CIDR range.`)
  const others = rulesOn(context, ip, String(body.name))
  if (others.length) {
    if (reserved?.purpose !== 'SHARED_LOADBALANCER_VIP') throw ipInUse(ip)
    if (others.length >= SHARED_RULES) throw invalid(`Invalid value for field 'resource.IPAddress': '${ip}'. At most ${SHARED_RULES} forwarding rules can share an address.`)
    const protocol = String(body.IPProtocol ?? 'TCP')
    const clash = others.some((other) => String(other.IPProtocol ?? 'TCP') === protocol && (() => {
      const theirs = portsOf(other)
      return theirs === 'ALL' || ports === 'ALL' || theirs.some((port) => ports.includes(port))
    })())
    if (clash) throw invalid(`Invalid value for field 'resource.IPAddress': '${ip}'. Specified IP address is in-use and would result in a conflict.`)
  }
  return {
    IPProtocol: 'TCP', labelFingerprint: '42WmSpB8rSM=', allowGlobalAccess: false, networkTier: 'PREMIUM', ...body,
    IPAddress: ip, network: subnet.network, subnetwork: subnet.selfLink, region: link(`projects/${context.project}/regions/${context.region}`),
  }
}
