/**
 * What the gcp provider can do, as data, and the one list of Google Cloud
 * regions strato knows. No SDK import: this file loads on every run through
 * providers/descriptors.ts.
 */
import { refuse, type ProviderDescriptor } from '../../src/capabilities.js'
import { diagnoseGcp } from './diagnose.js'
import { gcpLabelCodec } from './label-codec.js'

/** Google Cloud regions; a zone is one of them plus "-" and a letter. */
export const GCP_REGIONS = [
  'africa-south1', 'asia-east1', 'asia-east2', 'asia-northeast1', 'asia-northeast2', 'asia-northeast3', 'asia-south1', 'asia-south2',
  'asia-southeast1', 'asia-southeast2', 'australia-southeast1', 'australia-southeast2', 'europe-central2', 'europe-north1',
  'europe-north2', 'europe-southwest1', 'europe-west1', 'europe-west10', 'europe-west12', 'europe-west2', 'europe-west3',
  'europe-west4', 'europe-west6', 'europe-west8', 'europe-west9', 'me-central1', 'me-central2', 'me-west1',
  'northamerica-northeast1', 'northamerica-northeast2', 'northamerica-south1', 'southamerica-east1', 'southamerica-west1',
  'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-south1', 'us-west1', 'us-west2', 'us-west3', 'us-west4',
] as const

/** europe-west1-b -> europe-west1 */
export function zoneRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, '')
}

const NO_STEPS = refuse('GCP autoscalers have no step rules', 'use target.cpu or move steps to a docker target')
const NO_MEMORY = refuse('GCP autoscalers read memory only from Cloud Monitoring agent metrics', 'use target.cpu or target.requests, or a docker target to scale on memory')

export const gcpDescriptor: ProviderDescriptor = {
  kind: 'gcp',
  title: 'GCP',
  built: true,
  verbs: {
    deploy: true, scale: true, destroy: true, facts: true, metrics: true, releases: true, rollback: true,
    logs: refuse('gcp instances send no logs to strato yet', 'read them in Cloud Logging (gcloud logging read, or the instances\' serial console)'),
  },
  rollout: {
    how: 'an instance template per version; the regional group surges new instances beside the old ones, which go only once the new are stable and healthy',
    healthGatedRollback: true,
    healthTimeoutSeconds: 600,
  },
  autoscaling: {
    driver: 'native',
    // requests: the load balancer's serving capacity (maxRatePerInstance); stabilisation: scaleInControl's time window.
    target: { cpu: true, requests: true, memory: NO_MEMORY },
    steps: { cpu: NO_STEPS, requests: NO_STEPS, memory: NO_STEPS },
    schedules: true,
    scaleInLimit: true,
    stabilization: true,
    cooldown: true,
  },
  spend: { source: 'provider', how: 'the Cloud Billing export in BigQuery (targets.<name>.billing), by the strato-service label' },
  labels: gcpLabelCodec,
  locations: { field: 'zone', noun: 'zone', known: GCP_REGIONS, entryOf: zoneRegion },
  pricing: { model: 'catalog', regionField: 'zone', sizeField: 'machineType', defaultSize: 'e2-small', regionOf: zoneRegion },
  starter: (project) => ({ name: 'gcp', target: { provider: 'gcp', project: gcpProjectId(project), zone: 'europe-west1-b', machineType: 'e2-small' } }),
  diagnose: diagnoseGcp,
}

/** GCP project ids are 6-30 characters: the project name's start and -prod. */
export function gcpProjectId(project: string): string {
  return `${project.slice(0, 25).replace(/-+$/, '')}-prod`
}
