/** doctor's check for a gcp target: application default credentials, where google-auth-library looks. */
import { credentialsCheck, type DoctorCheck, type DoctorProbes } from '../../src/doctor.js'
import type { Target } from '../../src/manifest/schema.js'

export async function diagnoseGcp(name: string, _target: Target, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const { env } = probes
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS
  if (keyFile && !probes.fileExists(keyFile)) {
    return [{ name: 'gcp credentials', target: name, status: 'fail', detail: 'GOOGLE_APPLICATION_CREDENTIALS points to a missing file', fix: 'Point GOOGLE_APPLICATION_CREDENTIALS at an existing key or workload identity file.' }]
  }
  const sources: string[] = []
  if (keyFile) sources.push('GOOGLE_APPLICATION_CREDENTIALS')
  else if (probes.homeFileExists('.config/gcloud/application_default_credentials.json')) sources.push('application default credentials (gcloud)')
  return [credentialsCheck('gcp credentials', name, sources, {
    detail: 'no application default credentials found',
    fix: 'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS (on GCE/GKE, attach a service account).',
  })]
}
