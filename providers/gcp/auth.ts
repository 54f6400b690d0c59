/**
 * Credentials through Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS,
 * then gcloud's application_default_credentials.json, then the metadata
 * server on Google Cloud. A service-account key's `token_uri` is honoured
 * (Google's Python and Java libraries do; the Node library always calls
 * oauth2.googleapis.com), so a private token endpoint, or a local fake,
 * can issue the tokens. The JWT's audience stays Google's token URL, as
 * those libraries keep it.
 */
import { GoogleAuth, type AuthClient } from 'google-auth-library'
import { UserError } from '../../src/errors.js'

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'

export interface Credentials {
  client: AuthClient
  /** where ADC found them, for doctor: "service account key (GOOGLE_APPLICATION_CREDENTIALS)" */
  source: string
  /** the service account or user, when the credentials say */
  identity?: string
}

interface KeyFileContent { type?: string; client_email?: string; token_uri?: string; account?: string; audience?: string }

/** Where the credentials ADC found came from, in words; pure. */
export function describeSource(content: KeyFileContent | null, env: NodeJS.ProcessEnv): string {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS ? 'GOOGLE_APPLICATION_CREDENTIALS' : 'gcloud application_default_credentials.json'
  const type = content?.type
  switch (type) {
    case 'service_account': return `service account key (${file})`
    case 'authorized_user': return `user credentials (${file})`
    case 'external_account': return `workload identity federation (${file})`
    case 'impersonated_service_account': return `service account impersonation (${file})`
    case undefined: return 'the metadata server (the attached service account)'
    default: return `${type} credentials (${file})`
  }
}

/** Sends requests for Google's token URL to the key's own token_uri instead. */
export function redirectTokenRequests(client: AuthClient, tokenUri: string): void {
  if (tokenUri === GOOGLE_TOKEN_URL) return
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (String(options.url) === GOOGLE_TOKEN_URL) options.url = new URL(tokenUri)
      return options
    },
  })
}

/**
 * Off Google Cloud the metadata server's name does not resolve, and the auth
 * library says so with a process warning on stderr; strato's own error says
 * what was looked for and what to do, so that warning is dropped.
 */
async function withoutMetadataLookupWarnings<T>(run: () => Promise<T>): Promise<T> {
  const emit = process.emitWarning
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type
    if (type === 'MetadataLookupWarning' || (warning instanceof Error && warning.name === 'MetadataLookupWarning')) return
    ;(emit as (...args: unknown[]) => void).call(process, warning, ...rest)
  }) as typeof process.emitWarning
  try {
    return await run()
  } finally {
    process.emitWarning = emit
  }
}

export async function applicationDefaultCredentials(targetName: string, env: NodeJS.ProcessEnv): Promise<Credentials> {
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] })
  let client: AuthClient
  try {
    client = await withoutMetadataLookupWarnings(() => auth.getClient())
  } catch (error) {
    throw new UserError(`No Google Cloud credentials were found for target "${targetName}".`, {
      code: 'denied',
      details: [`Application Default Credentials said: ${(error as Error).message.split('\n')[0]}`],
      fix: 'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file (on Google Cloud, attach a service account).',
    })
  }
  const content = auth.jsonContent as KeyFileContent | null
  if (content?.type === 'service_account' && content.token_uri) redirectTokenRequests(client, content.token_uri)
  return { client, source: describeSource(content, env), identity: content?.client_email ?? content?.account }
}
