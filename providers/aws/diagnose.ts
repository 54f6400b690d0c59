/** doctor's check for an aws target: credentials where the SDK's chain looks (their validity shows on first use). */
import { credentialsCheck, type DoctorCheck, type DoctorProbes } from '../../src/doctor.js'
import type { Target } from '../../src/manifest/schema.js'

export async function diagnoseAws(name: string, target: Target, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const { env } = probes
  const profile = (target as { profile?: string }).profile ?? env.AWS_PROFILE
  const sources: string[] = []
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) sources.push('environment (AWS_ACCESS_KEY_ID)')
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) sources.push('web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)')
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) sources.push('container credentials')
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE
  if (credentialsFile ? probes.fileExists(credentialsFile) : probes.homeFileExists('.aws/credentials')) sources.push('shared credentials file')
  const configFile = env.AWS_CONFIG_FILE
  if (configFile ? probes.fileExists(configFile) : probes.homeFileExists('.aws/config')) sources.push(`shared config${profile ? ` (profile ${profile})` : ''}`)
  return [credentialsCheck('aws credentials', name, sources, {
    detail: 'no credentials found in the environment or ~/.aws',
    fix: 'Run `aws configure` or `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (on EC2/ECS, attach a role).',
  })]
}
