/**
 * One instance template per version of a service: the target's machine type,
 * Shielded VM (secure boot, vTPM, integrity monitoring), Debian 12, no
 * external IP unless the target asks, OS Login and no project-wide SSH keys,
 * the startup script that runs the image, and a dedicated service account
 * only when the instances must read secrets or pull from Artifact Registry
 * (never the default compute account). Templates are immutable, so they are
 * the release history: the labels hold what fits, the description all of
 * strato's state (version, deployer, time).
 */
import type { protos } from '@google-cloud/compute'
import type { Service } from '../../src/manifest/schema.js'
import { LABEL } from '../../src/model.js'
import { CLOUD_PLATFORM_SCOPE } from './auth.js'
import { labelsOf, stateDescription } from './resource-state.js'
import { networkTag, templateName } from './naming.js'
import { renderStartupScript } from './startup-script.js'

export type InstanceTemplate = protos.google.cloud.compute.v1.IInstanceTemplate

export const BOOT_IMAGE = 'projects/debian-cloud/global/images/family/debian-12'
export const DEFAULT_MACHINE_TYPE = 'e2-small'
const BOOT_DISK_GB = 20

export interface TemplateInput {
  project: string
  gcpProject: string
  target: string
  service: string
  spec: Service
  version: string
  image: string
  machineType: string
  /** the network's link, e.g. global/networks/default */
  network: string
  publicIp: boolean
  /** the instances' own service account, when they need one */
  serviceAccountEmail?: string
  /** the private services' names and the internal balancer's address, for the containers' hosts */
  hosts?: Record<string, string>
  /** the instances wanted when this version was deployed, for the release history */
  replicas: number
  deployedBy: string
  deployedAt: string
}

/** strato's state on a template, in its dotted form. */
export function templateState(input: Pick<TemplateInput, 'project' | 'target' | 'service' | 'version' | 'deployedBy' | 'deployedAt' | 'image' | 'replicas'>): Record<string, string> {
  return {
    [LABEL.project]: input.project, [LABEL.service]: input.service, [LABEL.version]: input.version, [LABEL.role]: 'template',
    [LABEL.deployedBy]: input.deployedBy, [LABEL.deployedAt]: input.deployedAt, 'strato.image': input.image, 'strato.target': input.target,
    'strato.replicas': String(input.replicas),
  }
}

/** The template body; pure, so its security settings are asserted exactly in unit tests. */
export function templateBody(input: TemplateInput): InstanceTemplate {
  const state = templateState(input)
  const labels = labelsOf(state)
  const script = renderStartupScript({ project: input.project, gcpProject: input.gcpProject, service: input.service, image: input.image, spec: input.spec, hosts: input.hosts })
  return {
    name: templateName(input.project, input.service, input.version, input.hosts),
    description: stateDescription(state),
    properties: {
      machineType: input.machineType,
      labels,
      tags: { items: [networkTag(input.project, input.service)] },
      metadata: {
        items: [
          { key: 'startup-script', value: script },
          { key: 'block-project-ssh-keys', value: 'TRUE' },
          { key: 'enable-oslogin', value: 'TRUE' },
        ],
      },
      disks: [{
        boot: true, autoDelete: true, type: 'PERSISTENT', mode: 'READ_WRITE',
        initializeParams: { sourceImage: BOOT_IMAGE, diskSizeGb: String(BOOT_DISK_GB), diskType: 'pd-balanced', labels },
      }],
      networkInterfaces: [{
        network: input.network,
        ...(input.publicIp ? { accessConfigs: [{ name: 'external-nat', type: 'ONE_TO_ONE_NAT' }] } : {}),
      }],
      serviceAccounts: input.serviceAccountEmail ? [{ email: input.serviceAccountEmail, scopes: [CLOUD_PLATFORM_SCOPE] }] : [],
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      scheduling: { automaticRestart: true, onHostMaintenance: 'MIGRATE', preemptible: false },
    },
  }
}
