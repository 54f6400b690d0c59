/**
 * `strato doctor`: what is installed, reachable and authorised, per target.
 * The decisions are pure; the probes (running docker, reading files and
 * environment) are passed in, so tests drive every branch.
 */
import type { Target } from './manifest/schema.js'
import { DEFAULT_DOCKER_HOST } from './manifest/defaults.js'

export type CheckStatus = 'ok' | 'warn' | 'fail'

export interface DoctorCheck {
  /** what was checked, e.g. "node", "docker unix:///var/run/docker.sock", "aws credentials" */
  name: string
  target?: string
  status: CheckStatus
  detail: string
  /** what to do when status is not ok */
  fix?: string
}

export interface DockerProbe {
  ok: boolean
  serverVersion?: string
  /** why it failed: 'missing-cli' | 'unreachable' | 'denied' | other text */
  reason?: 'missing-cli' | 'unreachable' | 'denied' | 'other'
  message?: string
}

export interface DoctorProbes {
  nodeVersion: string
  dockerCliVersion(): Promise<string | undefined>
  docker(host: string, tls?: { ca: string; cert: string; key: string }): Promise<DockerProbe>
  env: Record<string, string | undefined>
  /** whether a file under the home folder exists, e.g. ".aws/credentials" */
  homeFileExists(relative: string): boolean
  fileExists(path: string): boolean
}

const MIN_NODE_MAJOR = 22

export async function runDoctor(targets: Record<string, Target>, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [checkNode(probes.nodeVersion)]
  const dockerTargets = Object.entries(targets).filter(([, target]) => target.provider === 'docker')
  if (dockerTargets.length > 0) {
    const cli = await probes.dockerCliVersion()
    checks.push(cli
      ? { name: 'docker CLI', status: 'ok', detail: `version ${cli}` }
      : { name: 'docker CLI', status: 'fail', detail: 'not found on PATH', fix: 'Install the Docker client (Debian: apt-get install docker.io).' })
    if (cli) {
      const probed = await Promise.all(dockerTargets.flatMap(([name, target]) =>
        (target.provider === 'docker' ? target.hosts ?? [DEFAULT_DOCKER_HOST] : []).map(async (host) => dockerCheck(name, host, await probes.docker(host, target.provider === 'docker' ? target.tls : undefined)))))
      checks.push(...probed)
    }
  }
  for (const [name, target] of Object.entries(targets)) {
    if (target.provider === 'aws') checks.push(awsCredentials(name, target.profile, probes))
    if (target.provider === 'azure') checks.push(azureCredentials(name, probes))
    if (target.provider === 'gcp') checks.push(gcpCredentials(name, probes))
  }
  return checks
}

export function checkNode(version: string): DoctorCheck {
  const major = Number(version.replace(/^v/, '').split('.')[0])
  return major >= MIN_NODE_MAJOR
    ? { name: 'node', status: 'ok', detail: `version ${version}` }
    : { name: 'node', status: 'fail', detail: `version ${version} is older than ${MIN_NODE_MAJOR}`, fix: `Install Node.js ${MIN_NODE_MAJOR} or newer (for example \`npm install -g node@24\`).` }
}

function dockerCheck(target: string, host: string, probe: DockerProbe): DoctorCheck {
  const name = `docker engine ${host}`
  if (probe.ok) return { name, target, status: 'ok', detail: `server ${probe.serverVersion ?? 'unknown version'}` }
  switch (probe.reason) {
    case 'denied':
      return { name, target, status: 'fail', detail: 'permission denied on the Docker socket', fix: 'Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again) or use rootless Docker.' }
    case 'unreachable':
      return {
        name, target, status: 'fail', detail: `no engine answers${probe.message ? `: ${probe.message}` : ''}`,
        fix: host.startsWith('ssh://')
          ? 'Check that you can `ssh` to the host without a password prompt and that dockerd runs there.'
          : host.startsWith('tcp://')
            ? 'Check the address, that dockerd listens there with TLS, and the tls paths in the target.'
            : 'Start the engine (`sudo systemctl start docker`, or `dockerd &`).',
      }
    default:
      return { name, target, status: 'fail', detail: probe.message ?? 'the engine did not answer as expected', fix: 'Run `docker -H ' + host + ' info` to see the engine\'s own error.' }
  }
}

function awsCredentials(target: string, profile: string | undefined, probes: DoctorProbes): DoctorCheck {
  const { env } = probes
  const name = 'aws credentials'
  const sources: string[] = []
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) sources.push('environment (AWS_ACCESS_KEY_ID)')
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) sources.push('web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)')
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) sources.push('container credentials')
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE
  if (credentialsFile ? probes.fileExists(credentialsFile) : probes.homeFileExists('.aws/credentials')) sources.push('shared credentials file')
  const configFile = env.AWS_CONFIG_FILE
  if (configFile ? probes.fileExists(configFile) : probes.homeFileExists('.aws/config')) sources.push(`shared config${profile || env.AWS_PROFILE ? ` (profile ${profile ?? env.AWS_PROFILE})` : ''}`)
  if (sources.length > 0) return { name, target, status: 'ok', detail: `found: ${sources.join(', ')} (validity is checked on first use)` }
  return {
    name, target, status: 'fail', detail: 'no credentials found in the environment or ~/.aws',
    fix: 'Run `aws configure` or `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (on EC2/ECS, attach a role).',
  }
}

function azureCredentials(target: string, probes: DoctorProbes): DoctorCheck {
  const { env } = probes
  const name = 'azure credentials'
  const sources: string[] = []
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && (env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH || env.AZURE_FEDERATED_TOKEN_FILE)) {
    sources.push('service principal in the environment (AZURE_CLIENT_ID)')
  }
  if (env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT) sources.push('managed identity')
  if (probes.homeFileExists('.azure/azureProfile.json')) sources.push('Azure CLI login (~/.azure)')
  if (sources.length > 0) return { name, target, status: 'ok', detail: `found: ${sources.join(', ')} (validity is checked on first use)` }
  return {
    name, target, status: 'fail', detail: 'no credentials found in the environment or ~/.azure',
    fix: 'Run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal.',
  }
}

function gcpCredentials(target: string, probes: DoctorProbes): DoctorCheck {
  const { env } = probes
  const name = 'gcp credentials'
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS
  if (keyFile) {
    return probes.fileExists(keyFile)
      ? { name, target, status: 'ok', detail: 'found: GOOGLE_APPLICATION_CREDENTIALS (validity is checked on first use)' }
      : { name, target, status: 'fail', detail: `GOOGLE_APPLICATION_CREDENTIALS points to a missing file`, fix: 'Point GOOGLE_APPLICATION_CREDENTIALS at an existing key or workload identity file.' }
  }
  if (probes.homeFileExists('.config/gcloud/application_default_credentials.json')) {
    return { name, target, status: 'ok', detail: 'found: application default credentials (gcloud)' }
  }
  return {
    name, target, status: 'fail', detail: 'no application default credentials found',
    fix: 'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS (on GCE/GKE, attach a service account).',
  }
}
