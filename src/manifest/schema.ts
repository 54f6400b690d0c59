/**
 * The strato.yaml schema: the one source for validation, TypeScript types and
 * the published JSON Schema (`strato schema`).
 */
import { z } from 'zod'
import { imageReferenceProblem } from './image-reference.js'
import { isDuration, isSize } from './units.js'

export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/
export const DNS_LABEL_RULE =
  'a DNS label: 1-63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen'

/** A lowercase DNS name (RFC 1123 subdomain): Kubernetes object and class names, domains. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

const dnsLabel = z.string().regex(DNS_LABEL, { message: `must be ${DNS_LABEL_RULE}` })
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  message: 'must be an environment variable name: letters, digits and underscores, not starting with a digit',
})
const duration = z
  .union([z.string().refine(isDuration, { message: 'must be a duration such as 30s, 5m or 1h' }), z.number().nonnegative()])
  .describe('A duration: 30s, 5m, 1h (a bare number is seconds).')
const size = z.string().refine(isSize, { message: 'must be a size such as 256Mi, 1Gi or 512M' })
const port = z.number().int().min(1).max(65535)

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export const LB_ALGORITHMS = ['round-robin', 'least-conn', 'weighted', 'consistent-hash'] as const
export const PROVIDER_KINDS = ['docker', 'aws', 'azure', 'gcp', 'kubernetes'] as const

const StepRule = z.strictObject({
  metric: z.enum(['cpu', 'memory', 'requests']).describe('cpu and memory in percent of the reservation; requests per second per replica'),
  above: z.number().nonnegative().optional(),
  below: z.number().nonnegative().optional(),
  change: z.number().int().describe('replicas to add (positive) or remove (negative)'),
}).refine((rule) => (rule.above === undefined) !== (rule.below === undefined), {
  message: 'needs exactly one of above or below',
})

const ScheduleRule = z.strictObject({
  cron: z.string().regex(/^(\S+\s+){4}\S+$/, { message: 'must be a five-field cron expression such as "0 8 * * 1-5"' }),
  min: z.number().int().nonnegative().optional(),
  max: z.number().int().positive().optional(),
  desired: z.number().int().nonnegative().optional(),
  timezone: z.string().optional(),
})

export const AutoscaleSchema = z.strictObject({
  min: z.number().int().nonnegative(),
  max: z.number().int().positive(),
  target: z.strictObject({
    cpu: z.number().gt(0).max(100).optional().describe('average CPU utilisation to hold, percent'),
    memory: z.number().gt(0).max(100).optional(),
    requests: z.number().positive().optional().describe('requests per second per replica to hold'),
  }).optional(),
  steps: z.array(StepRule).optional(),
  schedule: z.array(ScheduleRule).optional(),
  cooldown: duration.optional(),
  stabilization: duration.optional().describe('window over which scale-in decisions must agree (anti-flapping)'),
  scaleInLimit: z.strictObject({
    replicas: z.number().int().positive(),
    window: duration,
  }).optional().describe('remove at most this many replicas within any window of this length'),
})

/** A URL path prefix: / or segments of letters, digits and . _ ~ -, no trailing slash, no wildcards. */
export const ROUTE_PATH = /^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/
/** A host name, optionally with one leading wildcard label (*.example.com). */
export const ROUTE_HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/

export const RouteSchema = z.strictObject({
  path: z.string().max(100).regex(ROUTE_PATH, { message: 'must be a URL path such as /orders or /api/orders: letters, digits, . _ ~ - between slashes, no trailing slash' })
    .optional().describe('the path prefix the service answers under; requests keep the full path (default /<service>, or / with a host)'),
  host: z.string().max(128).regex(ROUTE_HOST, { message: 'must be a lowercase host name such as orders.example.com (a leading *. is allowed)' })
    .optional().describe('the host name the service answers on; point its DNS at the balancer'),
}).refine((route) => route.path !== undefined || route.host !== undefined, { message: 'needs a path, a host or both' })

const BuildSchema = z.union([
  z.string().min(1),
  z.strictObject({
    context: z.string().min(1),
    dockerfile: z.string().optional(),
    args: z.record(z.string(), z.string()).optional(),
  }),
])

export const ServiceSchema = z.strictObject({
  build: BuildSchema.optional().describe('folder with a Dockerfile, built by strato'),
  image: z.string().min(1).superRefine((value, context) => {
    const problem = imageReferenceProblem(value)
    if (problem) context.addIssue({ code: 'custom', message: `must be ${problem}` })
  }).optional().describe('an image reference, e.g. registry.example/users:1.4.2'),
  command: z.array(z.string()).optional(),
  port: port.optional().describe('the port the service listens on inside its container'),
  health: z.string().regex(/^\//, { message: 'must be an HTTP path starting with /' }).optional(),
  env: z.record(envName, z.union([z.string(), z.number(), z.boolean()])).optional(),
  secrets: z.array(envName).optional().describe('names only; values come from the environment or a secret store'),
  resources: z.strictObject({
    cpu: z.number().positive().optional().describe('CPUs, e.g. 0.5'),
    memory: size.optional(),
  }).optional(),
  replicas: z.number().int().nonnegative().optional(),
  autoscale: AutoscaleSchema.optional(),
  weight: z.number().int().positive().optional().describe('share of traffic under the weighted algorithm'),
  route: RouteSchema.optional().describe('where a balancer shared by the services sends requests to this one (default: path /<service>)'),
  expose: z.enum(['public', 'private']).optional().describe('public: behind the target\'s balancer, reachable from outside; private: reachable only by the project\'s services on the target\'s network (default: public when the service has a port and a health path, private otherwise)'),
  volumes: z.array(z.string()).optional().describe('named volumes as NAME:/path'),
  restart: z.enum(['always', 'unless-stopped', 'on-failure', 'no']).optional(),
  privileged: z.boolean().optional(),
  network: z.enum(['bridge', 'host']).optional(),
  user: z.string().optional(),
  dependsOn: z.array(dnsLabel).optional(),
  targets: z.array(dnsLabel).optional().describe('only deploy to these targets (default: by placement)'),
})

const HashOn = z.union([
  z.strictObject({ header: z.string().min(1) }),
  z.strictObject({ cookie: z.string().min(1) }),
])

export const LoadBalancerSchema = z.strictObject({
  algorithm: z.enum(LB_ALGORITHMS).default('round-robin'),
  engine: z.enum(['nginx', 'haproxy']).optional(),
  hashOn: HashOn.optional().describe('for consistent-hash: the header or cookie to hash'),
  port: port.optional().describe('the first host port the balancers publish'),
})

const HostCost = z.strictObject({
  monthly: z.number().nonnegative().optional().describe('what one host costs per month'),
  purchase: z.number().nonnegative().optional(),
  months: z.number().int().positive().optional().describe('months to amortise the purchase price over'),
  power: z.number().nonnegative().optional().describe('power and space per month'),
  cpus: z.number().positive().optional(),
  memory: size.optional(),
})

const DockerTarget = z.strictObject({
  provider: z.literal('docker'),
  hosts: z.array(z.string().regex(/^(unix|ssh|tcp):\/\/.+/, {
    message: 'must be a Docker host address: unix:///path, ssh://user@host or tcp://host:port',
  })).min(1).optional(),
  mode: z.enum(['standalone', 'swarm']).optional(),
  tls: z.strictObject({ ca: z.string(), cert: z.string(), key: z.string() }).optional(),
  publish: z.string().optional().describe('the host address load balancers publish on (default 127.0.0.1)'),
  cost: HostCost.optional(),
})

const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$/
const AwsTarget = z.strictObject({
  provider: z.literal('aws'),
  region: z.string().regex(AWS_REGION, { message: 'must be an AWS region such as eu-west-1 or us-east-1' }),
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/, { message: 'must be an EC2 instance type such as t3.small' }).optional(),
  profile: z.string().optional(),
  endpoint: z.url().optional().describe('an endpoint override for emulators and private endpoints'),
  vpc: z.string().optional(),
  subnets: z.array(z.string()).optional(),
  registry: z.string().optional(),
  ami: z.string().optional(),
})

const AzureTarget = z.strictObject({
  provider: z.literal('azure'),
  location: z.string().regex(/^[a-z0-9]+$/, { message: 'must be an Azure location such as westeurope' }),
  vmSize: z.string().optional(),
  subscription: z.string().optional().describe('the subscription id (default: AZURE_SUBSCRIPTION_ID)'),
  resourceGroup: z.string().optional().describe('the resource group to use (default: strato-<project>-<target>, created)'),
  zones: z.array(z.enum(['1', '2', '3'])).min(1).optional().describe('availability zones the scale sets spread over'),
  subnet: z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i, {
    message: 'must be a subnet resource id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>',
  }).optional().describe('an existing subnet to place the VMs in (default: a virtual network strato creates)'),
  registry: z.string().optional().describe('the Azure Container Registry host build: services are pushed to'),
  endpoint: z.url().optional().describe('a Resource Manager endpoint override (sovereign clouds, Azure Stack, the local fake)'),
})

const GCP_ZONE = /^[a-z]+-[a-z]+\d-[a-z]$/
const gcpZone = z.string().regex(GCP_ZONE, { message: 'must be a GCP zone such as europe-west1-b' })
const GcpTarget = z.strictObject({
  provider: z.literal('gcp'),
  project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { message: 'must be a GCP project id: 6-30 lowercase letters, digits or hyphens' }),
  zone: gcpZone,
  zones: z.array(gcpZone).min(1).optional().describe('the zones of the zone\'s region the instance groups spread over (default: zone)'),
  machineType: z.string().optional(),
  registry: z.string().optional().describe('an Artifact Registry path build: services are pushed to, e.g. europe-west1-docker.pkg.dev/PROJECT/REPOSITORY'),
  network: dnsLabel.optional().describe('the VPC network (default: default)'),
  publicIp: z.boolean().optional().describe('give instances an external address (default: none; they then need Cloud NAT to install Docker and pull images)'),
  loadBalancer: z.enum(['http', 'network']).optional().describe('http (default): one external HTTP load balancer per target, a route per service; network: a regional network load balancer per service'),
  endpoint: z.url().optional().describe('an endpoint override for every Google API (private endpoints, the fake)'),
  billing: z.strictObject({
    dataset: z.string().regex(/^([a-z][a-z0-9-]{4,28}[a-z0-9]\.)?\w+$/, { message: 'must be a BigQuery dataset, optionally PROJECT.DATASET' }),
    table: z.string().regex(/^\w+$/, { message: 'must be a BigQuery table name' }),
  }).optional().describe('the Cloud Billing export table in BigQuery that strato cost actual reads'),
})

const KubernetesTarget = z.strictObject({
  provider: z.literal('kubernetes'),
  context: z.string().min(1).optional().describe('the kubeconfig context to use (default: the current context)'),
  namespace: dnsLabel.optional().describe('the namespace services run in (default: the project name); created and labelled when missing'),
  kubeconfig: z.string().min(1).optional().describe('path to a kubeconfig file (default: KUBECONFIG, then ~/.kube/config)'),
  ingressClass: z.string().regex(DNS_SUBDOMAIN, { message: 'must be an IngressClass name such as nginx' }).optional().describe('the IngressClass of the shared Ingress (default: the cluster default)'),
  domain: z.string().regex(DNS_SUBDOMAIN, { message: 'must be a DNS name such as shop.example.com' }).optional().describe('each service is served at <service>.<domain> (default: <project>.local)'),
  registry: z.string().min(1).optional().describe('where images of build: services are pushed, e.g. registry.example.com/team'),
  requestsMetric: z.string().regex(/^[a-z_][a-z0-9_]*$/, { message: 'must be a metric name such as http_requests_per_second' }).optional()
    .describe('the per-pod metric a metrics adapter serves for autoscale target.requests (default http_requests_per_second)'),
  writableRoot: z.array(dnsLabel).optional().describe('services whose image writes outside /tmp, so their root filesystem stays writable'),
  cost: HostCost.optional().describe('what one node costs (on-prem clusters); cloud nodes are priced from the catalog by instance type'),
})

export const TargetSchema = z.discriminatedUnion('provider', [DockerTarget, AwsTarget, AzureTarget, GcpTarget, KubernetesTarget])

export const ManifestSchema = z.strictObject({
  $schema: z.string().optional(),
  name: dnsLabel.describe('the project name; every resource strato creates is labelled with it'),
  services: z.record(dnsLabel, ServiceSchema),
  loadBalancer: LoadBalancerSchema.optional(),
  targets: z.record(dnsLabel, TargetSchema).optional(),
  placement: z.array(z.strictObject({
    target: dnsLabel,
    max: z.number().int().positive().optional(),
  })).optional().describe('hybrid placement: fill targets in order, overflow to the next'),
  budgets: z.strictObject({
    monthly: z.number().positive().optional(),
    currency: z.enum(['USD', 'EUR', 'GBP']).optional(),
  }).optional(),
  checks: z.strictObject({
    failOn: z.enum(SEVERITIES).optional(),
    skip: z.array(z.strictObject({
      id: z.string().regex(/^[A-Z]{2,5}-\d{3}$/, { message: 'must be a rule id such as DKR-004' }),
      reason: z.string().min(1),
      until: z.iso.date({ message: 'must be a date as YYYY-MM-DD' }).optional(),
      path: z.string().optional(),
    })).optional(),
    requiredTags: z.array(z.string()).optional(),
  }).optional(),
})

export type Manifest = z.infer<typeof ManifestSchema>
export type Service = z.infer<typeof ServiceSchema>
export type Autoscale = z.infer<typeof AutoscaleSchema>
export type Route = z.infer<typeof RouteSchema>
export type Target = z.infer<typeof TargetSchema>
export type DockerTargetConfig = z.infer<typeof DockerTarget>
export type AwsTargetConfig = z.infer<typeof AwsTarget>
export type AzureTargetConfig = z.infer<typeof AzureTarget>
export type GcpTargetConfig = z.infer<typeof GcpTarget>
export type KubernetesTargetConfig = z.infer<typeof KubernetesTarget>
export type ProviderKind = (typeof PROVIDER_KINDS)[number]
export type Severity = (typeof SEVERITIES)[number]
