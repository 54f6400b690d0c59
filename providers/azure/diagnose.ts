/**
 * doctor's checks for an azure target. Without reaching the target: where
 * @azure/identity's default chain would find credentials. With the CLI's
 * probes (reachTargets), live: which credential the chain found (it gets a
 * token), the subscription, and whether the resource providers strato uses
 * are registered; those load the SDKs, only then.
 */
import { credentialsCheck, type DoctorCheck, type DoctorProbes } from '../../src/doctor.js'
import { UserError } from '../../src/errors.js'
import type { Target } from '../../src/manifest/schema.js'

export async function diagnoseAzure(name: string, target: Target, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const { env } = probes
  const sources: string[] = []
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && (env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH || env.AZURE_FEDERATED_TOKEN_FILE)) {
    sources.push('service principal in the environment (AZURE_CLIENT_ID)')
  }
  if (env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT) sources.push('managed identity')
  if (probes.homeFileExists('.azure/azureProfile.json')) sources.push('Azure CLI login (~/.azure)')
  const found = credentialsCheck('azure credentials', name, sources, {
    detail: 'no credentials found in the environment or ~/.azure',
    fix: 'Run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal.',
  })
  if (!probes.reachTargets || target.provider !== 'azure') return [found]
  try {
    const { diagnoseLive } = await import('./doctor.js')
    return await diagnoseLive(name, target, env as NodeJS.ProcessEnv)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return [{ ...found, status: found.status === 'ok' ? 'warn' : found.status, detail: `${found.detail}; the live check failed: ${error.message}`, fix: error.fix ?? found.fix }]
  }
}
