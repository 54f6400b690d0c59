/**
 * `strato doctor` for an azure target, live: which credential the default
 * chain found (it gets a token), the subscription it sees, and whether the
 * resource providers strato uses are registered in it. Loaded only when
 * doctor runs for an azure target.
 */
import type { TokenCredential } from '@azure/core-auth'
import { UserError } from '../../src/errors.js'
import type { DoctorCheck } from '../../src/doctor.js'
import type { AzureTargetConfig } from '../../src/manifest/schema.js'
import { createClients } from './clients.js'
import { defaultCredential, identifyCredential } from './credentials.js'
import { guardCredential } from './errors.js'

export const RESOURCE_PROVIDERS = ['Microsoft.Compute', 'Microsoft.Network', 'Microsoft.Insights', 'Microsoft.KeyVault', 'Microsoft.CostManagement'] as const

function failed(name: string, target: string, error: unknown): DoctorCheck {
  if (error instanceof UserError) return { name, target, status: 'fail', detail: error.message, fix: error.fix }
  throw error
}

export async function diagnoseLive(targetName: string, target: AzureTargetConfig, env: NodeJS.ProcessEnv, options: { credential?: TokenCredential; tlsCa?: string } = {}): Promise<DoctorCheck[]> {
  const subscriptionId = target.subscription ?? env.AZURE_SUBSCRIPTION_ID
  const scope = { targetName, subscriptionId: subscriptionId ?? '-', endpoint: target.endpoint, authorityHost: env.AZURE_AUTHORITY_HOST }
  const credential = options.credential ?? await defaultCredential(env, options.tlsCa)
  const checks: DoctorCheck[] = []
  try {
    const found = await identifyCredential(guardCredential(credential, scope))
    checks.push({ name: 'azure credentials', target: targetName, status: 'ok', detail: `${found.source} (a token was issued)` })
  } catch (error) {
    checks.push(failed('azure credentials', targetName, error))
    return checks
  }
  if (!subscriptionId) {
    checks.push({ name: 'azure subscription', target: targetName, status: 'fail', detail: 'no subscription: neither targets.' + targetName + '.subscription nor AZURE_SUBSCRIPTION_ID is set', fix: `Set targets.${targetName}.subscription in strato.yaml, or export AZURE_SUBSCRIPTION_ID (\`az account list\` shows yours).` })
    return checks
  }
  const clients = createClients({ credential, subscriptionId, targetName, endpoint: target.endpoint, authorityHost: env.AZURE_AUTHORITY_HOST, tlsCa: options.tlsCa, maxRetries: 1 })
  try {
    const subscription = await (await clients.subscriptions()).subscriptions.get(subscriptionId)
    checks.push({ name: 'azure subscription', target: targetName, status: subscription.state === 'Enabled' ? 'ok' : 'fail', detail: `${subscription.displayName ?? subscriptionId} (${subscriptionId}), tenant ${subscription.tenantId ?? '?'}, ${subscription.state ?? 'state unknown'}` })
  } catch (error) {
    checks.push(failed('azure subscription', targetName, error))
    return checks
  }
  const resources = await clients.resources()
  const missing: string[] = []
  for (const namespace of RESOURCE_PROVIDERS) {
    try {
      const provider = await resources.providers.get(namespace)
      if (provider.registrationState !== 'Registered') missing.push(namespace)
    } catch (error) {
      checks.push(failed('azure resource providers', targetName, error))
      return checks
    }
  }
  checks.push(missing.length === 0
    ? { name: 'azure resource providers', target: targetName, status: 'ok', detail: `registered: ${RESOURCE_PROVIDERS.join(', ')}` }
    : { name: 'azure resource providers', target: targetName, status: 'fail', detail: `not registered: ${missing.join(', ')}`, fix: missing.map((namespace) => `az provider register --namespace ${namespace}`).join('; ') })
  return checks
}
