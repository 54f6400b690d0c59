/**
 * What the azure provider can do, as data, and the one list of Azure
 * locations strato knows (validate refuses any other). No SDK import: this
 * file loads on every run through providers/descriptors.ts.
 */
import { refuse, type ProviderDescriptor } from '../../src/capabilities.js'
import { cronProblem, windowsTimeZone } from './autoscaling-compile.js'
import { diagnoseAzure } from './diagnose.js'
import { azureTagCodec } from './label-codec.js'

/** Azure public-cloud locations (az account list-locations, physical regions). */
export const AZURE_LOCATIONS = [
  'australiacentral', 'australiacentral2', 'australiaeast', 'australiasoutheast', 'austriaeast', 'belgiumcentral', 'brazilsouth',
  'brazilsoutheast', 'canadacentral', 'canadaeast', 'centralindia', 'centralus', 'chilecentral', 'eastasia', 'eastus', 'eastus2',
  'francecentral', 'francesouth', 'germanynorth', 'germanywestcentral', 'indonesiacentral', 'israelcentral', 'italynorth',
  'japaneast', 'japanwest', 'jioindiacentral', 'jioindiawest', 'koreacentral', 'koreasouth', 'malaysiawest', 'mexicocentral',
  'newzealandnorth', 'northcentralus', 'northeurope', 'norwayeast', 'norwaywest', 'polandcentral', 'qatarcentral',
  'southafricanorth', 'southafricawest', 'southcentralus', 'southeastasia', 'southindia', 'spaincentral', 'swedencentral',
  'swedensouth', 'switzerlandnorth', 'switzerlandwest', 'uaecentral', 'uaenorth', 'uksouth', 'ukwest', 'westcentralus',
  'westeurope', 'westindia', 'westus', 'westus2', 'westus3',
] as const

export const DEFAULT_VM_SIZE = 'Standard_B2s'

const NO_REQUESTS = refuse('the Azure Standard Load Balancer counts connections, not requests, and Azure Monitor has no per-instance request metric for a scale set', 'use target.cpu, or place the service on an aws target to scale on requests')
const NO_MEMORY = refuse('Azure scale sets report available memory in bytes, not a share of the reservation', 'use target.cpu, or a docker target to scale on memory')

export const azureDescriptor: ProviderDescriptor = {
  kind: 'azure',
  title: 'Azure',
  built: true,
  verbs: {
    deploy: true, scale: true, destroy: true, facts: true, metrics: true, releases: true, rollback: true,
    logs: refuse('azure scale sets send no logs to strato yet', 'read a VM\'s console in the scale set\'s boot diagnostics (az vmss get-instance-view, or the portal)'),
  },
  rollout: {
    how: 'a new scale set model; new VMs join next to the old and pass the health extension\'s check before the old ones go (upgrade policy Manual, driven by strato)',
    healthGatedRollback: true,
    // A new VM installs Docker and pulls the image before it can pass a health check.
    healthTimeoutSeconds: 600,
  },
  autoscaling: {
    driver: 'native',
    // Azure Monitor autoscale has threshold rules only: a target becomes a scale-out and a scale-in rule around it.
    target: { cpu: true, requests: NO_REQUESTS, memory: NO_MEMORY },
    steps: { cpu: true, requests: NO_REQUESTS, memory: NO_MEMORY },
    schedules: true,
    scheduleCron: (cron) => {
      const problem = cronProblem(cron)
      return problem ? refuse(problem, 'use * for the day-of-month and month fields and pick week days in the last field (e.g. "0 8 * * 1-5")') : true
    },
    scheduleTimezone: (timezone) => (windowsTimeZone(timezone)
      ? true
      : refuse(`Azure autoscale does not know the time zone "${timezone}"`, 'use UTC, a zone such as Europe/Berlin, or a Windows time zone name such as "W. Europe Standard Time"')),
    scaleInLimit: true,
    stabilization: true,
    cooldown: true,
  },
  spend: { source: 'provider', how: 'the Cost Management query API, filtered on the strato.project tag and grouped by strato.service' },
  labels: azureTagCodec,
  locations: { field: 'location', noun: 'location', known: AZURE_LOCATIONS },
  pricing: { model: 'catalog', regionField: 'location', sizeField: 'vmSize', defaultSize: DEFAULT_VM_SIZE },
  starter: () => ({ name: 'azure', target: { provider: 'azure', location: 'westeurope', vmSize: DEFAULT_VM_SIZE } }),
  diagnose: diagnoseAzure,
}
