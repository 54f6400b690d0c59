/** doctor's check for an azure target: credentials where @azure/identity's default chain looks. */
import { credentialsCheck, type DoctorCheck, type DoctorProbes } from '../../src/doctor.js'
import type { Target } from '../../src/manifest/schema.js'

export async function diagnoseAzure(name: string, _target: Target, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const { env } = probes
  const sources: string[] = []
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && (env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH || env.AZURE_FEDERATED_TOKEN_FILE)) {
    sources.push('service principal in the environment (AZURE_CLIENT_ID)')
  }
  if (env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT) sources.push('managed identity')
  if (probes.homeFileExists('.azure/azureProfile.json')) sources.push('Azure CLI login (~/.azure)')
  return [credentialsCheck('azure credentials', name, sources, {
    detail: 'no credentials found in the environment or ~/.azure',
    fix: 'Run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal.',
  })]
}
