/**
 * Microsoft.KeyVault through Resource Manager: vaults (soft-deleted on
 * delete, their name held until purged, as Azure does) and their secrets
 * (PUT creates or replaces; GET never returns the value, as ARM never does).
 */
import { armError, badRequest, clone, isObject, notFound, ok, type FakeResponse } from './http.ts'
import { actionLongRunning, envelope, listOfType, requireGroup, requireLocation, resourceIdOf, validateTags, type Ctx } from './routing.ts'
import type { ArmResource } from './state.ts'

const VAULT = 'Microsoft.KeyVault/vaults'
const SECRET = 'Microsoft.KeyVault/vaults/secrets'
const NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/

function vaultUri(ctx: Ctx, name: string): string {
  return `${ctx.request.origin}/keyvault/${name.toLowerCase()}/`
}

function secretsOf(ctx: Ctx, vault: ArmResource): ArmResource[] {
  return ctx.state.under(`${vault.id}/secrets`)
}

function deletedVaultView(ctx: Ctx, name: string, entry: { vault: ArmResource; deletedAt: string }) {
  const location = entry.vault.location ?? 'westeurope'
  return {
    id: `/subscriptions/${ctx.route.subscription}/providers/Microsoft.KeyVault/locations/${location}/deletedVaults/${name}`,
    name, type: 'Microsoft.KeyVault/deletedVaults',
    properties: {
      vaultId: entry.vault.id, location, deletionDate: entry.deletedAt,
      scheduledPurgeDate: new Date(Date.parse(entry.deletedAt) + 7 * 86_400_000).toISOString(), tags: entry.vault.tags ?? {},
      purgeProtectionEnabled: entry.vault.properties.enablePurgeProtection === true,
    },
  }
}

function vaultRoute(ctx: Ctx, name: string, tail: string[]): FakeResponse | undefined {
  const { request, route, state } = ctx
  const id = resourceIdOf(route, ['vaults', name])
  const existing = state.get(id)
  if (tail.length === 0) {
    switch (request.method) {
      case 'GET': return existing ? ok(clone(existing)) : notFound(VAULT, name, route.resourceGroup)
      case 'PUT': {
        const body = request.json
        if (!isObject(body)) return badRequest('The request body must be a JSON object.', 'InvalidRequestFormat')
        if (!NAME.test(name)) return badRequest(`The vault name ${name} is invalid: 3-24 letters, digits and hyphens, starting with a letter.`, 'VaultNameNotValid')
        const invalid = requireLocation(body) ?? validateTags(body)
        if (invalid) return invalid
        const properties = (body.properties ?? {}) as Record<string, unknown>
        if (state.deletedVaults.has(name.toLowerCase()) && properties.createMode !== 'recover') {
          return armError(409, 'ConflictError', `A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.`)
        }
        const clash = [...state.resources.values()].find((other) => other.type === VAULT && other.name.toLowerCase() === name.toLowerCase() && other.id.toLowerCase() !== id.toLowerCase())
        if (clash) return armError(409, 'VaultAlreadyExists', `The vault name '${name}' is already in use. Vault names are globally unique.`)
        if (!properties.tenantId || !isObject(properties.sku)) return badRequest('A vault needs properties.tenantId and properties.sku.', 'BadRequest')
        const resource = envelope(id, name, VAULT, body, existing)
        resource.properties = {
          enableSoftDelete: true, softDeleteRetentionInDays: 90, enableRbacAuthorization: false, accessPolicies: [], ...resource.properties,
          vaultUri: vaultUri(ctx, name), provisioningState: 'Succeeded',
        }
        delete resource.properties.createMode
        state.deletedVaults.delete(name.toLowerCase())
        state.put(resource)
        return ok(clone(resource), existing ? 200 : 201)
      }
      case 'DELETE': {
        if (!existing) return { status: 204 }
        for (const secret of secretsOf(ctx, existing)) state.remove(secret.id)
        state.remove(existing.id)
        state.deletedVaults.set(name.toLowerCase(), { vault: existing, deletedAt: new Date().toISOString() })
        return { status: 200 }
      }
      default: return undefined
    }
  }
  if (!existing) return notFound(VAULT, name, route.resourceGroup)
  if (tail[0].toLowerCase() !== 'secrets' || tail.length > 2) return undefined
  const secretName = tail[1]
  if (secretName === undefined) return request.method === 'GET' ? ok({ value: secretsOf(ctx, existing).map(clone) }) : undefined
  const secretId = `${existing.id}/secrets/${secretName}`
  const secret = state.get(secretId)
  if (request.method === 'GET') return secret ? ok(clone(secret)) : armError(404, 'SecretNotFound', `Secret ${secretName} not found in vault ${existing.name}.`)
  if (request.method === 'PUT' || request.method === 'PATCH') {
    const body = request.json
    if (!SECRET_NAME.test(secretName)) return badRequest(`The secret name ${secretName} is invalid: letters, digits and hyphens only.`, 'BadRequest')
    const properties = isObject(body) && isObject(body.properties) ? body.properties : undefined
    if (!properties || (request.method === 'PUT' && typeof properties.value !== 'string')) return badRequest('A secret needs properties.value.', 'BadRequest')
    const now = Math.floor(Date.now() / 1000)
    const stored: ArmResource = {
      id: secretId, name: secretName, type: SECRET, location: existing.location,
      tags: isObject(body) && isObject(body.tags) ? body.tags as Record<string, string> : secret?.tags ?? {},
      properties: {
        attributes: { enabled: true, created: (secret?.properties.attributes as { created?: number } | undefined)?.created ?? now, updated: now },
        secretUri: `${existing.properties.vaultUri}secrets/${secretName}`,
        secretUriWithVersion: `${existing.properties.vaultUri}secrets/${secretName}/${crypto.randomUUID().replaceAll('-', '')}`,
        ...(properties.contentType ? { contentType: properties.contentType } : {}),
      },
    }
    state.put(stored)
    // the value is kept aside: ARM never returns it
    state.secretValues.set(secretId.toLowerCase(), String(properties.value ?? state.secretValues.get(secretId.toLowerCase()) ?? ''))
    return ok(clone(stored), secret ? 200 : 201)
  }
  return undefined
}

export function keyVaultRoute(ctx: Ctx): FakeResponse | undefined {
  const { request, route, state } = ctx
  const [type, name, ...tail] = route.rest
  const lower = (type ?? '').toLowerCase()
  if (lower === 'vaults') {
    if (name === undefined) return request.method === 'GET' ? ok({ value: listOfType(ctx, VAULT).map(clone) }) : undefined
    if (!route.resourceGroup) return undefined
    return requireGroup(ctx) ?? vaultRoute(ctx, name, tail)
  }
  if (lower === 'deletedvaults' && name === undefined && request.method === 'GET') {
    return ok({ value: [...state.deletedVaults].map(([vault, entry]) => deletedVaultView(ctx, vault, entry)) })
  }
  // locations/{location}/deletedVaults/{name}[/purge]
  if (lower === 'locations' && tail[0]?.toLowerCase() === 'deletedvaults' && tail[1]) {
    const vault = tail[1].toLowerCase()
    const entry = state.deletedVaults.get(vault)
    if (!entry) return armError(404, 'ResourceNotFound', `The deleted vault ${tail[1]} was not found.`)
    if (request.method === 'GET' && tail.length === 2) return ok(deletedVaultView(ctx, tail[1], entry))
    if (request.method === 'POST' && tail[2]?.toLowerCase() === 'purge') {
      if (entry.vault.properties.enablePurgeProtection === true) return armError(409, 'PurgeProtectionEnabled', `The vault ${tail[1]} has purge protection and cannot be purged before its retention ends.`)
      return actionLongRunning(ctx, name, 'Microsoft.KeyVault', (succeeded) => { if (succeeded) state.deletedVaults.delete(vault) })
    }
  }
  return undefined
}
