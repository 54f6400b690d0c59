/**
 * Secrets: one Key Vault per project and target (RBAC authorization, soft
 * delete as Azure requires, no purge protection so destroy can purge it).
 * A secret that already exists is used as is; one that does not is created,
 * through Resource Manager, from the environment variable of the same name
 * at deploy time. Each scale set's system-assigned identity gets "Key Vault
 * Secrets User" on that vault only, so its VMs read the project's secrets
 * and nothing else. Values are never logged or put in custom data.
 */
import { usageError } from '../../src/errors.js'
import { LABEL } from '../../src/model.js'
import type { AzureClients } from './clients.js'
import { isAzureError, isNotFound } from './errors.js'
import { roleAssignmentName, secretName } from './naming.js'

/** Built-in role definition ids: the same in every tenant. */
export const ROLES = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
} as const

export interface Vault { id: string; name: string; uri: string }

/** The vault, created (or recovered from soft delete, where Azure keeps the name) when missing. */
export async function ensureVault(clients: AzureClients, resourceGroup: string, name: string, location: string, tags: Record<string, string>, tenantId: string): Promise<Vault> {
  const keyVault = await clients.keyVault()
  let vault
  try {
    vault = await keyVault.vaults.get(resourceGroup, name)
  } catch (error) {
    if (!isNotFound(error)) throw error
    let deleted = false
    try {
      await keyVault.vaults.getDeleted(name, location)
      deleted = true
    } catch (missing) {
      if (!isNotFound(missing)) throw missing
    }
    vault = await keyVault.vaults.createOrUpdate(resourceGroup, name, {
      location, tags,
      properties: {
        tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true, enableSoftDelete: true, softDeleteRetentionInDays: 7,
        ...(deleted ? { createMode: 'recover' as const } : {}),
      },
    }, clients.lro)
  }
  return { id: vault.id!, name: vault.name ?? name, uri: vault.properties?.vaultUri ?? `https://${name}.vault.azure.net/` }
}

/** Creates the service's missing secrets from the environment; returns the names created. */
export async function ensureSecrets(clients: AzureClients, resourceGroup: string, vault: Vault, project: string, service: string, names: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const keyVault = await clients.keyVault()
  const created: string[] = []
  for (const variable of names) {
    const name = secretName(variable)
    try {
      await keyVault.secrets.get(resourceGroup, vault.name, name)
      continue
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    const value = env[variable]
    if (value === undefined || value === '') {
      throw usageError(`Secret ${variable} of service ${service} has no value: the vault ${vault.name} has no secret ${name} and ${variable} is not set.`,
        `Create it (az keyvault secret set --vault-name ${vault.name} --name ${name} ...) or export ${variable} when you run strato deploy.`)
    }
    await keyVault.secrets.createOrUpdate(resourceGroup, vault.name, name, { tags: { [LABEL.project]: project, [LABEL.role]: 'secret' }, properties: { value, contentType: 'text/plain' } })
    created.push(name)
  }
  return created
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Grants a role to a principal at a scope. The assignment's name is derived
 * from the three, so a repeat is the same PUT; a principal just created may
 * not have reached the directory yet (PrincipalNotFound): retried, bounded.
 */
export async function grantRole(clients: AzureClients, scope: string, roleId: string, principalId: string, sleep: (ms: number) => Promise<void> = pause): Promise<void> {
  const authorization = await clients.authorization()
  const roleDefinitionId = `/subscriptions/${clients.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`
  const name = roleAssignmentName(principalId, roleId, scope)
  for (let attempt = 0; ; attempt++) {
    try {
      await authorization.roleAssignments.create(scope, name, { roleDefinitionId, principalId, principalType: 'ServicePrincipal' })
      return
    } catch (error) {
      if (isAzureError(error, 'RoleAssignmentExists')) return
      if (!isAzureError(error, 'PrincipalNotFound') || attempt >= 6) throw error
      await sleep(2000 * 2 ** attempt)
    }
  }
}

/** Removes the role assignments of a principal (a scale set about to be deleted leaves none behind). */
export async function revokeRoles(clients: AzureClients, principalId: string): Promise<number> {
  const authorization = await clients.authorization()
  let removed = 0
  for await (const assignment of authorization.roleAssignments.listForSubscription({ filter: `principalId eq '${principalId}'` })) {
    if (!assignment.scope || !assignment.name) continue
    try {
      await authorization.roleAssignments.delete(assignment.scope, assignment.name)
      removed++
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
  }
  return removed
}

/** Deletes the vault and purges it, so the name is free for the next deploy and no secret lingers. */
export async function deleteVault(clients: AzureClients, resourceGroup: string, name: string, location: string): Promise<boolean> {
  const keyVault = await clients.keyVault()
  let existed = true
  try {
    await keyVault.vaults.delete(resourceGroup, name)
  } catch (error) {
    if (!isNotFound(error)) throw error
    existed = false
  }
  try {
    await keyVault.vaults.purgeDeleted(name, location, clients.lro)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  return existed
}
