/**
 * What the gcp provider will do, as data. It is not built yet (built:
 * false): validate and cost already use this, and every command that acts on
 * a gcp target answers "not supported yet". The provider's own issue flips
 * `built` and corrects anything below that the implementation changes.
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
const NOT_YET = refuse('gcp targets keep no release history yet', 'deploy the version you want from strato.yaml')

export const gcpDescriptor: ProviderDescriptor = {
  kind: 'gcp',
  title: 'GCP',
  built: false,
  meanwhile: 'GCP targets already validate, are priced by `strato cost` and read spend from FOCUS exports (`strato cost actual --focus`); use --target to act on another target.',
  verbs: {
    deploy: true, scale: true, destroy: true, facts: true, metrics: true,
    releases: NOT_YET,
    rollback: NOT_YET,
    logs: refuse('gcp instances send no logs to strato yet', 'read them in Cloud Logging'),
  },
  rollout: {
    how: 'a rolling update of the regional managed instance group to a new instance template, gated on its health check',
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
  spend: { source: 'focus', how: 'FOCUS exports of the billing account (strato cost actual --focus)' },
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
