/**
 * doctor's checks for a gcp target, without the SDK and without calling
 * Google: which credentials Application Default Credentials will use (the
 * key file's type and account, gcloud's user credentials, or the metadata
 * server), the target's project, and the APIs strato's calls need. Whether
 * the credentials are accepted shows on first use.
 */
import type { DoctorCheck, DoctorProbes } from '../../src/doctor.js'
import type { Target } from '../../src/manifest/schema.js'

/** What each API is for, as doctor lists it. */
export const APIS_NEEDED = [
  'compute.googleapis.com (deploy, status, scale, autoscale, check, destroy)',
  'monitoring.googleapis.com (metrics)',
  'bigquery.googleapis.com (cost actual with targets.<name>.billing)',
  'secretmanager.googleapis.com and iam.googleapis.com (services with secrets)',
  'artifactregistry.googleapis.com (build: services and Artifact Registry images)',
]

const GCLOUD_ADC = '.config/gcloud/application_default_credentials.json'

/** Whose credentials a credentials file holds, from its type; pure. */
export function describeCredentialsFile(text: string | undefined, where: string): string {
  let content: { type?: string; client_email?: string; service_account_impersonation_url?: string } = {}
  try {
    content = JSON.parse(text ?? '{}') as typeof content
  } catch {
    return `${where} (unreadable as JSON)`
  }
  switch (content.type) {
    case 'service_account': return `service account key for ${content.client_email ?? 'an unnamed account'} (${where})`
    case 'authorized_user': return `user credentials (${where})`
    case 'external_account': return `workload identity federation${content.service_account_impersonation_url ? ', impersonating a service account' : ''} (${where})`
    case 'impersonated_service_account': return `service account impersonation (${where})`
    default: return where
  }
}

export async function diagnoseGcp(name: string, target: Target, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const { env } = probes
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS
  const project = target.provider === 'gcp' ? target.project : '-'
  const projectCheck: DoctorCheck = { name: 'gcp project', target: name, status: 'ok', detail: `${project}; the calls need ${APIS_NEEDED.join(', ')}` }
  if (keyFile && !probes.fileExists(keyFile)) {
    return [{ name: 'gcp credentials', target: name, status: 'fail', detail: 'GOOGLE_APPLICATION_CREDENTIALS points to a missing file', fix: 'Point GOOGLE_APPLICATION_CREDENTIALS at an existing key or workload identity file.' }, projectCheck]
  }
  let found: string | undefined
  if (keyFile) found = describeCredentialsFile(probes.readFile?.(keyFile), 'GOOGLE_APPLICATION_CREDENTIALS')
  else if (probes.homeFileExists(GCLOUD_ADC)) found = describeCredentialsFile(probes.readFile?.(`${env.HOME ?? '~'}/${GCLOUD_ADC}`), 'gcloud application default credentials')
  const credentials: DoctorCheck = found
    ? { name: 'gcp credentials', target: name, status: 'ok', detail: `found: ${found} (whether Google accepts them shows on first use)` }
    : {
      name: 'gcp credentials', target: name, status: 'fail', detail: 'no application default credentials found (on Google Cloud, the metadata server would provide them)',
      fix: 'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS (on GCE/GKE, attach a service account).',
    }
  return [credentials, projectCheck]
}
