/**
 * A service's VM Scale Set (Uniform orchestration): the model built from the
 * manifest (pure, unit-tested) and the calls that change it. Upgrade policy
 * Manual: a new model reaches only the VMs created after it, which is what
 * lets strato drive health-gated rollouts itself (rollout.ts). The boot
 * script goes in customData (cloud-init runs it) and in userData, the one
 * field Azure returns again (GET with $expand=userData), so a failed rollout
 * restores exactly the model that ran before.
 */
import type { VirtualMachineScaleSet, VirtualMachineScaleSetVM } from '@azure/arm-compute'
import type { AzureClients } from './clients.js'
import { isNotFound } from './errors.js'

export const UBUNTU = { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' }
export const ADMIN_USER = 'strato'

export interface ScaleSetInput {
  location: string
  vmSize: string
  zones?: string[]
  capacity: number
  computerNamePrefix: string
  /** the boot script, base64 */
  script: string
  sshPublicKey: string
  subnetId: string
  securityGroupId: string
  /** the public balancer's pool (outbound, and inbound for a public service) and the internal balancer's for a private one */
  backendPoolIds: string[]
  /** without a port (a worker) there is no health extension: a running VM is ready */
  port?: number
  /** the health path; without one the health extension checks the port over TCP */
  health?: string
  tags: Record<string, string>
  nicName: string
}

/** The scale set as strato creates it; pure, so its security settings are asserted exactly. */
export function scaleSetModel(input: ScaleSetInput): VirtualMachineScaleSet {
  return {
    location: input.location,
    tags: input.tags,
    ...(input.zones?.length ? { zones: input.zones } : {}),
    sku: { name: input.vmSize, tier: 'Standard', capacity: input.capacity },
    identity: { type: 'SystemAssigned' },
    orchestrationMode: 'Uniform',
    upgradePolicy: { mode: 'Manual' },
    overprovision: false,
    singlePlacementGroup: false,
    virtualMachineProfile: {
      osProfile: {
        computerNamePrefix: input.computerNamePrefix,
        adminUsername: ADMIN_USER,
        customData: input.script,
        linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData: input.sshPublicKey }] } },
      },
      userData: input.script,
      storageProfile: {
        imageReference: UBUNTU,
        osDisk: { createOption: 'FromImage', caching: 'ReadWrite', diskSizeGB: 30, managedDisk: { storageAccountType: 'StandardSSD_LRS' } },
      },
      networkProfile: {
        networkInterfaceConfigurations: [{
          name: input.nicName, primary: true, networkSecurityGroup: { id: input.securityGroupId },
          ipConfigurations: [{ name: 'ipconfig', primary: true, subnet: { id: input.subnetId }, loadBalancerBackendAddressPools: input.backendPoolIds.map((id) => ({ id })) }],
        }],
      },
      extensionProfile: {
        extensions: input.port === undefined ? [] : [{
          name: 'health', publisher: 'Microsoft.ManagedServices', typePropertiesType: 'ApplicationHealthLinux', typeHandlerVersion: '2.0', autoUpgradeMinorVersion: true,
          settings: input.health ? { protocol: 'http', port: input.port, requestPath: input.health } : { protocol: 'tcp', port: input.port },
        }],
      },
      diagnosticsProfile: { bootDiagnostics: { enabled: true } },
    },
  }
}

/** The SSH key a scale set was created with: kept on updates, as Azure does not let it change. */
export function sshKeyOf(scaleSet: VirtualMachineScaleSet | undefined): string | undefined {
  return scaleSet?.virtualMachineProfile?.osProfile?.linuxConfiguration?.ssh?.publicKeys?.[0]?.keyData
}

export async function readScaleSet(clients: AzureClients, resourceGroup: string, name: string, withScript = false): Promise<VirtualMachineScaleSet | undefined> {
  const compute = await clients.compute()
  try {
    return await compute.virtualMachineScaleSets.get(resourceGroup, name, withScript ? { expand: 'userData' } : {})
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

export async function putScaleSet(clients: AzureClients, resourceGroup: string, name: string, model: VirtualMachineScaleSet): Promise<VirtualMachineScaleSet> {
  const compute = await clients.compute()
  return compute.virtualMachineScaleSets.createOrUpdate(resourceGroup, name, model, clients.lro)
}

export async function setCapacity(clients: AzureClients, resourceGroup: string, name: string, capacity: number): Promise<void> {
  const compute = await clients.compute()
  await compute.virtualMachineScaleSets.update(resourceGroup, name, { sku: { capacity } }, clients.lro)
}

export async function setTags(clients: AzureClients, resourceGroup: string, name: string, tags: Record<string, string>): Promise<void> {
  const compute = await clients.compute()
  await compute.virtualMachineScaleSets.update(resourceGroup, name, { tags }, clients.lro)
}

export async function deleteInstances(clients: AzureClients, resourceGroup: string, name: string, instanceIds: string[]): Promise<void> {
  if (instanceIds.length === 0) return
  const compute = await clients.compute()
  await compute.virtualMachineScaleSets.deleteInstances(resourceGroup, name, { instanceIds }, clients.lro)
}

/** Brings VMs to the scale set's current model (a no-op for the guest when the model's content did not change). */
export async function upgradeInstances(clients: AzureClients, resourceGroup: string, name: string, instanceIds: string[]): Promise<void> {
  if (instanceIds.length === 0) return
  const compute = await clients.compute()
  await compute.virtualMachineScaleSets.updateInstances(resourceGroup, name, { instanceIds }, clients.lro)
}

export async function deleteScaleSet(clients: AzureClients, resourceGroup: string, name: string): Promise<void> {
  const compute = await clients.compute()
  try {
    await compute.virtualMachineScaleSets.delete(resourceGroup, name, clients.lro)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

export async function listVms(clients: AzureClients, resourceGroup: string, name: string): Promise<VirtualMachineScaleSetVM[]> {
  const compute = await clients.compute()
  const vms: VirtualMachineScaleSetVM[] = []
  try {
    for await (const vm of compute.virtualMachineScaleSetVMs.list(resourceGroup, name, { expand: 'instanceView' })) vms.push(vm)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  return vms
}
