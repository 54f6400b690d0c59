/**
 * What exists for a project on one azure target, read back from tags: the
 * scale sets of its resource group (one list call) and each one's VMs with
 * their instance views (one call per scale set, a bounded number at once),
 * as the core's Resources. A VM's version is its scale set's
 * strato.version when it runs the latest model, else the version the set
 * ran before (strato.previous-version): that is what a rollout in progress
 * or a rolled-back update leaves.
 */
import type { VirtualMachineScaleSet, VirtualMachineScaleSetVM } from '@azure/arm-compute'
import { LABEL, type Resource } from '../../src/model.js'
import type { AzureClients } from './clients.js'
import { mapBounded } from '../bounded.js'
import { isNotFound } from './errors.js'

export const TAG = {
  endpoint: 'strato.endpoint',
  previousVersion: 'strato.previous-version',
  image: 'strato.image',
  /** the private services its containers reach by name (--add-host), comma-separated */
  hosts: 'strato.hosts',
} as const

export interface ScaleSetEntry {
  scaleSet: VirtualMachineScaleSet
  vms: VirtualMachineScaleSetVM[]
}

/** The project's scale sets in its resource group, each with its VMs (instance views included). */
export async function readScaleSets(clients: AzureClients, resourceGroup: string, project: string): Promise<ScaleSetEntry[]> {
  const compute = await clients.compute()
  const sets: VirtualMachineScaleSet[] = []
  try {
    for await (const set of compute.virtualMachineScaleSets.list(resourceGroup)) {
      if (set.tags?.[LABEL.project] === project) sets.push(set)
    }
  } catch (error) {
    if (isNotFound(error)) return []
    throw error
  }
  return mapBounded(sets, 16, async (scaleSet) => {
    const vms: VirtualMachineScaleSetVM[] = []
    try {
      for await (const vm of compute.virtualMachineScaleSetVMs.list(resourceGroup, scaleSet.name!, { expand: 'instanceView' })) vms.push(vm)
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    return { scaleSet, vms }
  })
}

/** A VM's state from its provisioning and power status codes. */
export function vmState(vm: VirtualMachineScaleSetVM): Resource['state'] {
  const codes = (vm.instanceView?.statuses ?? []).map((status) => status.code?.toLowerCase() ?? '')
  const provisioning = (vm.provisioningState ?? codes.find((code) => code.startsWith('provisioningstate/'))?.split('/')[1] ?? '').toLowerCase()
  if (provisioning === 'failed') return 'failed'
  if (provisioning === 'deleting' || codes.some((code) => /^powerstate\/(stopped|deallocated|deallocating|stopping)$/.test(code))) return 'stopped'
  if (provisioning === 'creating' || codes.includes('powerstate/starting')) return 'pending'
  if (codes.includes('powerstate/running') || provisioning === 'succeeded' || provisioning === 'updating') return 'running'
  return 'unknown'
}

/** The application health extension's verdict (HealthState/healthy...), or none without one. */
export function vmHealth(vm: VirtualMachineScaleSetVM): NonNullable<Resource['health']> {
  const code = vm.instanceView?.vmHealth?.status?.code?.toLowerCase()
  if (!code) return 'none'
  if (code.endsWith('/healthy')) return 'healthy'
  if (code.endsWith('/unhealthy')) return 'unhealthy'
  return 'starting'
}

function scaleSetState(scaleSet: VirtualMachineScaleSet, vms: VirtualMachineScaleSetVM[]): Resource['state'] {
  const provisioning = scaleSet.provisioningState?.toLowerCase()
  if (provisioning === 'failed') return 'failed'
  if (provisioning === 'deleting') return 'stopped'
  const capacity = scaleSet.sku?.capacity ?? 0
  if (capacity === 0) return 'stopped'
  return vms.filter((vm) => vmState(vm) === 'running').length >= capacity ? 'running' : 'pending'
}

/** The inventory as the core's Resources; pure, so tests feed it recorded answers. */
export function scaleSetResources(entries: ScaleSetEntry[], target: string, location: string): Resource[] {
  const resources: Resource[] = []
  for (const { scaleSet, vms } of entries) {
    const tags = scaleSet.tags ?? {}
    const service = tags[LABEL.service]
    const healths = vms.map(vmHealth)
    resources.push({
      id: scaleSet.id ?? scaleSet.name ?? '',
      kind: 'group',
      target,
      service,
      version: tags[LABEL.version],
      location,
      state: scaleSetState(scaleSet, vms),
      health: healths.length === 0 ? 'none' : healths.includes('unhealthy') ? 'unhealthy' : healths.every((health) => health === 'healthy' || health === 'none') ? 'healthy' : 'starting',
      labels: tags,
      endpoint: tags[TAG.endpoint],
      createdAt: scaleSet.timeCreated?.toISOString?.() ?? (scaleSet.timeCreated as unknown as string | undefined),
      details: {
        name: scaleSet.name, capacity: scaleSet.sku?.capacity ?? 0, vmSize: scaleSet.sku?.name, upgradeMode: scaleSet.upgradePolicy?.mode,
        provisioningState: scaleSet.provisioningState, zones: scaleSet.zones ?? [], principalId: scaleSet.identity?.principalId,
      },
    })
    const { [LABEL.role]: _role, [TAG.endpoint]: _endpoint, ...propagated } = tags
    for (const vm of vms) {
      const latest = vm.latestModelApplied !== false
      resources.push({
        id: vm.id ?? `${scaleSet.id}/virtualMachines/${vm.instanceId}`,
        kind: 'instance',
        target,
        service,
        version: latest ? tags[LABEL.version] : tags[TAG.previousVersion] ?? tags[LABEL.version],
        // the location, not the zone: status shows one row per service and location
        location,
        state: vmState(vm),
        health: vmHealth(vm),
        labels: propagated,
        createdAt: vm.timeCreated?.toISOString?.(),
        details: { instanceId: vm.instanceId, zone: vm.zones?.[0], computerName: vm.osProfile?.computerName ?? vm.instanceView?.computerName, latestModelApplied: latest, scaleSet: scaleSet.name },
      })
    }
  }
  return resources
}
