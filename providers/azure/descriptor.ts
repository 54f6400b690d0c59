/**
 * What the azure provider will do, as data. It is not built yet (built:
 * false): validate and cost already use this, and every command that acts on
 * an azure target answers "not supported yet". The provider's own issue
 * flips `built` and corrects anything below that the implementation changes.
 */
import { refuse, type ProviderDescriptor } from '../../src/capabilities.js'
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

const NOT_YET = refuse('azure targets keep no release history yet', 'deploy the version you want from strato.yaml')

export const azureDescriptor: ProviderDescriptor = {
  kind: 'azure',
  title: 'Azure',
  built: false,
  meanwhile: 'Azure targets already validate, are priced by `strato cost` and read spend from FOCUS exports (`strato cost actual --focus`); use --target to act on another target.',
  verbs: {
    deploy: true, scale: true, destroy: true, facts: true, metrics: true,
    releases: NOT_YET,
    rollback: NOT_YET,
    logs: refuse('azure scale sets send no logs to strato yet', 'read them with the boot diagnostics of the scale set'),
  },
  rollout: {
    how: 'rolling upgrade of the scale set, gated on the load balancer\'s health probe',
    healthGatedRollback: true,
    healthTimeoutSeconds: 600,
  },
  autoscaling: {
    driver: 'native',
    // Azure Monitor autoscale has threshold rules only: a target becomes a scale-out and a scale-in rule around it.
    target: {
      cpu: true,
      requests: refuse('Azure Monitor has no per-instance request metric for a scale set', 'use target.cpu, or place the service on an aws target to scale on requests'),
      memory: refuse('Azure scale sets report available memory in bytes, not a share of the reservation', 'use target.cpu, or a docker target to scale on memory'),
    },
    steps: {
      cpu: true,
      requests: refuse('Azure Monitor has no per-instance request metric for a scale set', 'use steps on cpu, or an aws target'),
      memory: refuse('Azure scale sets report available memory in bytes, not a share of the reservation', 'use steps on cpu, or a docker target'),
    },
    schedules: true,
    scaleInLimit: true,
    stabilization: true,
    cooldown: true,
  },
  spend: { source: 'focus', how: 'FOCUS exports from Cost Management (strato cost actual --focus)' },
  labels: azureTagCodec,
  locations: { field: 'location', noun: 'location', known: AZURE_LOCATIONS },
  pricing: { model: 'catalog', regionField: 'location', sizeField: 'vmSize', defaultSize: 'Standard_B2s' },
  starter: () => ({ name: 'azure', target: { provider: 'azure', location: 'westeurope', vmSize: 'Standard_B2s' } }),
  diagnose: diagnoseAzure,
}
