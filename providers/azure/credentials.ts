/**
 * Credentials come from @azure/identity's DefaultAzureCredential: the
 * environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or a
 * certificate), workload identity, a managed identity, then the Azure CLI,
 * Developer CLI and PowerShell logins. With AZURE_AUTHORITY_HOST pointing at
 * an authority that is not one of Microsoft's clouds (Azure Stack, the local
 * fake), instance discovery, which only knows Microsoft's hosts, is turned off.
 */
import type { TokenCredential } from '@azure/core-auth'

const MICROSOFT_AUTHORITIES = new Set([
  'login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'sts.windows.net',
  'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn',
])

/** The DefaultAzureCredential options for this environment. */
export function credentialOptions(env: NodeJS.ProcessEnv): { disableInstanceDiscovery?: boolean } {
  const host = env.AZURE_AUTHORITY_HOST
  if (!host) return {}
  let hostname = ''
  try { hostname = new URL(host).hostname } catch { return {} }
  return MICROSOFT_AUTHORITIES.has(hostname.toLowerCase()) ? {} : { disableInstanceDiscovery: true }
}

export async function defaultCredential(env: NodeJS.ProcessEnv, tlsCa?: string): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity')
  return new DefaultAzureCredential({ ...credentialOptions(env), ...(tlsCa ? { tlsOptions: { ca: tlsCa } } : {}) })
}

const SOURCES: Record<string, string> = {
  EnvironmentCredential: 'environment (AZURE_CLIENT_ID with a secret or certificate)',
  WorkloadIdentityCredential: 'workload identity (AZURE_FEDERATED_TOKEN_FILE)',
  ManagedIdentityCredential: 'managed identity',
  AzureCliCredential: 'Azure CLI login (az login)',
  AzureDeveloperCliCredential: 'Azure Developer CLI login (azd auth login)',
  AzurePowerShellCredential: 'Azure PowerShell login (Connect-AzAccount)',
  VisualStudioCodeCredential: 'Visual Studio Code sign-in',
}

/**
 * Gets a token through the chain and names the credential that gave it.
 * The chain says which one answered only in its log, so the log is read
 * (and kept quiet) for the length of the call.
 */
export async function identifyCredential(credential: TokenCredential, scope = 'https://management.azure.com/.default'): Promise<{ source: string; expiresOn: number }> {
  const { AzureLogger, getLogLevel, setLogLevel } = await import('@azure/logger')
  const previousLevel = getLogLevel()
  const previousLog = AzureLogger.log
  let found = ''
  AzureLogger.log = (...args: unknown[]) => {
    const line = args.map(String).join(' ')
    const match = /Result for (\w+): SUCCESS/.exec(line)
    if (match) found = match[1]
  }
  setLogLevel('info')
  try {
    const token = await credential.getToken(scope)
    if (!token) throw new Error('the credential chain returned no token')
    return { source: SOURCES[found] ?? (found || 'the default credential chain'), expiresOn: token.expiresOnTimestamp }
  } finally {
    setLogLevel(previousLevel)
    AzureLogger.log = previousLog
  }
}
