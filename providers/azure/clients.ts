/**
 * The SDK clients one azure target uses. Each SDK is imported on first use
 * (arm-network alone takes half a second to load), so `status` loads
 * compute and identity only. Every client shares the credential, the
 * endpoint override, bounded retries (the SDK's exponential and Retry-After
 * policies) and the error translation policy of errors.ts.
 */
import type { TokenCredential } from '@azure/core-auth'
import type { HttpClient } from '@azure/core-rest-pipeline'
import type { ComputeManagementClient } from '@azure/arm-compute'
import type { NetworkManagementClient } from '@azure/arm-network'
import type { MonitorClient } from '@azure/arm-monitor'
import type { ResourceManagementClient } from '@azure/arm-resources'
import type { KeyVaultManagementClient } from '@azure/arm-keyvault'
import type { AuthorizationManagementClient } from '@azure/arm-authorization'
import type { SubscriptionClient } from '@azure/arm-resources-subscriptions'
import type { Client as RestClient } from '@azure-rest/core-client'
import { errorTranslationPolicy, guardCredential, type ErrorScope } from './errors.js'

export const DEFAULT_MAX_RETRIES = 4
export const DEFAULT_RETRY_DELAY_MS = 800

export interface ClientOptions {
  credential: TokenCredential
  subscriptionId: string
  targetName: string
  /** a Resource Manager endpoint other than Azure's own (sovereign clouds, the local fake) */
  endpoint?: string
  /** the identity platform when it is not Microsoft's own (AZURE_AUTHORITY_HOST) */
  authorityHost?: string
  /** retries after the first try, for throttling, 5xx and network errors */
  maxRetries?: number
  /** first delay between retries (default: the SDK's 800 ms, doubling) */
  retryDelayMs?: number
  /** how often long-running operations are polled when Azure sends no Retry-After */
  pollIntervalMs?: number
  /** tests only: a CA to trust, or a transport that never opens a socket */
  tlsCa?: string
  httpClient?: HttpClient
}

export interface AzureClients {
  readonly subscriptionId: string
  readonly targetName: string
  /** per-operation options for long-running calls */
  readonly lro: { updateIntervalInMs: number }
  compute(): Promise<ComputeManagementClient>
  network(): Promise<NetworkManagementClient>
  monitor(): Promise<MonitorClient>
  resources(): Promise<ResourceManagementClient>
  keyVault(): Promise<KeyVaultManagementClient>
  authorization(): Promise<AuthorizationManagementClient>
  subscriptions(): Promise<SubscriptionClient>
  /** a plain Resource Manager client for APIs without a stable SDK (Cost Management query) */
  rest(): Promise<RestClient>
}

/** The options every SDK client gets: the unit tests assert them. */
export function clientOptions(options: ClientOptions) {
  const scope: ErrorScope = { targetName: options.targetName, subscriptionId: options.subscriptionId, endpoint: options.endpoint }
  return {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    retryOptions: {
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      ...(options.retryDelayMs !== undefined ? { retryDelayInMs: options.retryDelayMs, maxRetryDelayInMs: options.retryDelayMs * 8 } : {}),
    },
    ...(options.tlsCa ? { tlsOptions: { ca: options.tlsCa } } : {}),
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    userAgentOptions: { userAgentPrefix: 'strato' },
    additionalPolicies: [{
      policy: errorTranslationPolicy(scope, { maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES, delayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS }),
      position: 'perCall' as const,
    }],
  }
}

export function createClients(options: ClientOptions): AzureClients {
  const settings = clientOptions(options)
  const { subscriptionId } = options
  const credential = guardCredential(options.credential, { targetName: options.targetName, subscriptionId, endpoint: options.endpoint, authorityHost: options.authorityHost })
  const cache = new Map<string, Promise<unknown>>()
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let client = cache.get(key) as Promise<T> | undefined
    if (!client) {
      client = make()
      cache.set(key, client)
    }
    return client
  }
  // Older, autorest-generated clients (arm-authorization) take the endpoint as $host too.
  const legacy = { ...settings, ...(options.endpoint ? { $host: options.endpoint } : {}) }
  return {
    subscriptionId,
    targetName: options.targetName,
    lro: { updateIntervalInMs: options.pollIntervalMs ?? 2000 },
    compute: () => once('compute', async () => new (await import('@azure/arm-compute')).ComputeManagementClient(credential, subscriptionId, settings)),
    network: () => once('network', async () => new (await import('@azure/arm-network')).NetworkManagementClient(credential, subscriptionId, settings)),
    monitor: () => once('monitor', async () => new (await import('@azure/arm-monitor')).MonitorClient(credential, subscriptionId, settings)),
    resources: () => once('resources', async () => new (await import('@azure/arm-resources')).ResourceManagementClient(credential, subscriptionId, settings)),
    keyVault: () => once('keyVault', async () => new (await import('@azure/arm-keyvault')).KeyVaultManagementClient(credential, subscriptionId, settings)),
    authorization: () => once('authorization', async () => new (await import('@azure/arm-authorization')).AuthorizationManagementClient(credential, subscriptionId, legacy)),
    subscriptions: () => once('subscriptions', async () => new (await import('@azure/arm-resources-subscriptions')).SubscriptionClient(credential, settings)),
    rest: () => once('rest', async () => (await import('@azure-rest/core-client')).getClient(options.endpoint ?? 'https://management.azure.com', credential, {
      ...settings, credentials: { scopes: ['https://management.azure.com/.default'] },
    })),
  }
}
