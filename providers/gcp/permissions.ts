/**
 * Every Google API call the gcp provider makes, with the API that serves it
 * and the IAM permission it needs. A refused call names its permission from
 * here (an error's text is never parsed); `strato doctor` lists the APIs;
 * the provider's README lists the permissions (a unit test keeps it in step).
 */

export const API = {
  compute: 'compute.googleapis.com',
  monitoring: 'monitoring.googleapis.com',
  bigquery: 'bigquery.googleapis.com',
  secretManager: 'secretmanager.googleapis.com',
  iam: 'iam.googleapis.com',
  artifactRegistry: 'artifactregistry.googleapis.com',
} as const

export type ApiName = keyof typeof API

interface CallSpec { api: ApiName; permission: string }

const compute = (permission: string): CallSpec => ({ api: 'compute', permission: `compute.${permission}` })

export const CALLS = {
  'instanceTemplates.insert': compute('instanceTemplates.create'),
  'instanceTemplates.get': compute('instanceTemplates.get'),
  'instanceTemplates.list': compute('instanceTemplates.list'),
  'instanceTemplates.delete': compute('instanceTemplates.delete'),
  'regionInstanceGroupManagers.insert': compute('instanceGroupManagers.create'),
  'regionInstanceGroupManagers.get': compute('instanceGroupManagers.get'),
  'regionInstanceGroupManagers.list': compute('instanceGroupManagers.list'),
  'regionInstanceGroupManagers.listManagedInstances': compute('instanceGroupManagers.get'),
  'regionInstanceGroupManagers.patch': compute('instanceGroupManagers.update'),
  'regionInstanceGroupManagers.resize': compute('instanceGroupManagers.update'),
  'regionInstanceGroupManagers.delete': compute('instanceGroupManagers.delete'),
  'regionAutoscalers.insert': compute('autoscalers.create'),
  'regionAutoscalers.get': compute('autoscalers.get'),
  'regionAutoscalers.list': compute('autoscalers.list'),
  'regionAutoscalers.update': compute('autoscalers.update'),
  'regionAutoscalers.delete': compute('autoscalers.delete'),
  'healthChecks.insert': compute('healthChecks.create'),
  'healthChecks.get': compute('healthChecks.get'),
  'healthChecks.list': compute('healthChecks.list'),
  'healthChecks.update': compute('healthChecks.update'),
  'healthChecks.delete': compute('healthChecks.delete'),
  'regionHealthChecks.insert': compute('regionHealthChecks.create'),
  'regionHealthChecks.get': compute('regionHealthChecks.get'),
  'regionHealthChecks.list': compute('regionHealthChecks.list'),
  'regionHealthChecks.update': compute('regionHealthChecks.update'),
  'regionHealthChecks.delete': compute('regionHealthChecks.delete'),
  'firewalls.insert': compute('firewalls.create'),
  'firewalls.get': compute('firewalls.get'),
  'firewalls.list': compute('firewalls.list'),
  'firewalls.patch': compute('firewalls.update'),
  'firewalls.delete': compute('firewalls.delete'),
  'backendServices.insert': compute('backendServices.create'),
  'backendServices.get': compute('backendServices.get'),
  'backendServices.list': compute('backendServices.list'),
  'backendServices.patch': compute('backendServices.update'),
  'backendServices.update': compute('backendServices.update'),
  'backendServices.delete': compute('backendServices.delete'),
  'regionBackendServices.insert': compute('regionBackendServices.create'),
  'regionBackendServices.get': compute('regionBackendServices.get'),
  'regionBackendServices.list': compute('regionBackendServices.list'),
  'regionBackendServices.patch': compute('regionBackendServices.update'),
  'regionBackendServices.update': compute('regionBackendServices.update'),
  'regionBackendServices.delete': compute('regionBackendServices.delete'),
  'urlMaps.insert': compute('urlMaps.create'),
  'urlMaps.get': compute('urlMaps.get'),
  'urlMaps.list': compute('urlMaps.list'),
  'urlMaps.update': compute('urlMaps.update'),
  'urlMaps.delete': compute('urlMaps.delete'),
  'targetHttpProxies.insert': compute('targetHttpProxies.create'),
  'targetHttpProxies.get': compute('targetHttpProxies.get'),
  'targetHttpProxies.list': compute('targetHttpProxies.list'),
  'targetHttpProxies.delete': compute('targetHttpProxies.delete'),
  'globalForwardingRules.insert': compute('globalForwardingRules.create'),
  'globalForwardingRules.get': compute('globalForwardingRules.get'),
  'globalForwardingRules.list': compute('globalForwardingRules.list'),
  'globalForwardingRules.delete': compute('globalForwardingRules.delete'),
  'forwardingRules.insert': compute('forwardingRules.create'),
  'forwardingRules.get': compute('forwardingRules.get'),
  'forwardingRules.list': compute('forwardingRules.list'),
  'forwardingRules.delete': compute('forwardingRules.delete'),
  'addresses.insert': compute('addresses.create'),
  'addresses.get': compute('addresses.get'),
  'addresses.list': compute('addresses.list'),
  'addresses.delete': compute('addresses.delete'),
  'networks.get': compute('networks.get'),
  'subnetworks.get': compute('subnetworks.get'),
  'instances.aggregatedList': compute('instances.list'),
  'disks.aggregatedList': compute('disks.list'),
  'globalOperations.wait': compute('globalOperations.get'),
  'regionOperations.wait': compute('regionOperations.get'),
  'timeSeries.list': { api: 'monitoring', permission: 'monitoring.timeSeries.list' },
  'jobs.query': { api: 'bigquery', permission: 'bigquery.jobs.create' },
  'jobs.getQueryResults': { api: 'bigquery', permission: 'bigquery.jobs.get' },
  'secrets.create': { api: 'secretManager', permission: 'secretmanager.secrets.create' },
  'secrets.get': { api: 'secretManager', permission: 'secretmanager.secrets.get' },
  'secrets.list': { api: 'secretManager', permission: 'secretmanager.secrets.list' },
  'secrets.addVersion': { api: 'secretManager', permission: 'secretmanager.versions.add' },
  'secrets.getIamPolicy': { api: 'secretManager', permission: 'secretmanager.secrets.getIamPolicy' },
  'secrets.setIamPolicy': { api: 'secretManager', permission: 'secretmanager.secrets.setIamPolicy' },
  'secrets.delete': { api: 'secretManager', permission: 'secretmanager.secrets.delete' },
  'serviceAccounts.create': { api: 'iam', permission: 'iam.serviceAccounts.create' },
  'serviceAccounts.get': { api: 'iam', permission: 'iam.serviceAccounts.get' },
  'serviceAccounts.delete': { api: 'iam', permission: 'iam.serviceAccounts.delete' },
  'repositories.getIamPolicy': { api: 'artifactRegistry', permission: 'artifactregistry.repositories.getIamPolicy' },
  'repositories.setIamPolicy': { api: 'artifactRegistry', permission: 'artifactregistry.repositories.setIamPolicy' },
} as const satisfies Record<string, CallSpec>

export type CallName = keyof typeof CALLS

/**
 * Permissions a call needs besides its own, checked by Google on the
 * resources it refers to (a template that names a service account, a group
 * that uses a template).
 */
export const ALSO_NEEDED = [
  'compute.instanceTemplates.useReadOnly', 'compute.healthChecks.useReadOnly', 'compute.regionHealthChecks.useReadOnly',
  'compute.instanceGroups.use', 'compute.backendServices.use', 'compute.regionBackendServices.use', 'compute.urlMaps.use',
  'compute.targetHttpProxies.use', 'compute.networks.updatePolicy', 'compute.subnetworks.use', 'compute.addresses.use', 'iam.serviceAccounts.actAs',
  'compute.globalForwardingRules.setLabels', 'compute.forwardingRules.setLabels',
  'bigquery.tables.getData',
] as const

/** Every permission the provider may need, sorted: the README's list. */
export function allPermissions(): string[] {
  return [...new Set([...Object.values(CALLS).map((call) => call.permission), ...ALSO_NEEDED])].sort()
}
