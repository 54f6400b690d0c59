/**
 * The project's resource group on a target: strato-<project>-<target>, or the
 * target's resourceGroup:. strato creates it (tagged) when missing and, on
 * destroy, deletes only a group it created: one the user named and made
 * keeps existing, emptied of what strato tagged.
 */
import type { ResourceGroup } from '@azure/arm-resources'
import { LABEL } from '../../src/model.js'
import type { AzureClients } from './clients.js'
import { isNotFound } from './errors.js'

export const GROUP_ROLE = 'resource-group'

export async function readResourceGroup(clients: AzureClients, name: string): Promise<ResourceGroup | undefined> {
  const resources = await clients.resources()
  try {
    return await resources.resourceGroups.get(name)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

export async function ensureResourceGroup(clients: AzureClients, name: string, location: string, project: string): Promise<ResourceGroup> {
  const existing = await readResourceGroup(clients, name)
  if (existing) return existing
  const resources = await clients.resources()
  return resources.resourceGroups.createOrUpdate(name, { location, tags: { [LABEL.project]: project, [LABEL.role]: GROUP_ROLE } })
}

/** True when strato made the group (its tags say so), so destroy may delete it. */
export function createdByStrato(group: ResourceGroup | undefined, project: string): boolean {
  return group?.tags?.[LABEL.project] === project && group.tags[LABEL.role] === GROUP_ROLE
}

export async function deleteResourceGroup(clients: AzureClients, name: string): Promise<void> {
  const resources = await clients.resources()
  try {
    await resources.resourceGroups.delete(name, clients.lro)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}
