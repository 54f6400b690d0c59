/**
 * The boot script a scale set's VMs run (custom data, handed to cloud-init):
 * installs Docker and runs the service's image with its env. Secret values
 * are never in it: at boot the VM asks the instance metadata service for a
 * token of its system-assigned identity and reads each secret from the
 * project's Key Vault; an image in Azure Container Registry is pulled with a
 * token exchanged the same way. The project's private services are reached
 * by name with no DNS zone: `--add-host <service>:<its internal frontend>`.
 * Pure, so tests read the exact script.
 */
import type { Service } from '../../src/manifest/schema.js'
import { LABEL } from '../../src/model.js'
import { secretName } from './naming.js'

export interface CustomDataInput {
  project: string
  service: string
  image: string
  spec: Service
  /** the vault's URI as Resource Manager reports it (https://<name>.vault.azure.net/), when the service has secrets */
  vaultUri?: string
  /** the registry host to log in to with the VM's identity, when the image is in Azure Container Registry */
  acrHost?: string
  /** the project's private services on the target and their internal balancer addresses */
  privateHosts?: Record<string, string>
}

export function isAcrImage(image: string): boolean {
  return /^[a-z0-9]+\.azurecr\.(io|cn|us)\//.test(image)
}

/**
 * The private services a service's containers get an --add-host for, in
 * name order, comma-separated (also kept in a tag, so plan sees them). Not
 * its own name: an internal balancer drops a backend's flow to its own frontend.
 */
export function hostNames(privateHosts: Record<string, string> | string[], service: string): string {
  return (Array.isArray(privateHosts) ? privateHosts : Object.keys(privateHosts)).filter((name) => name !== service).sort().join(',')
}

/** Quotes a value for a POSIX shell: single quotes, with embedded ones closed and escaped. */
function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'"'"'`)}'`
}

const IMDS = 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource='
const JSON_FIELD = (field: string) => `python3 -c 'import json,sys; print(json.load(sys.stdin)["${field}"])'`

export function renderCustomData(input: CustomDataInput): string {
  const { project, service, image, spec, vaultUri, acrHost, privateHosts = {} } = input
  const envFile = '/etc/strato/service.env'
  const lines = [
    '#!/bin/bash',
    '# Written by strato: installs Docker and runs one service. Secrets are read from Key Vault at boot.',
    `# service ${service} of ${project}, image ${image}`,
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update -q && apt-get install -y -q docker.io curl python3',
    'systemctl enable --now docker',
    `token() { curl -sSf -H Metadata:true "${IMDS}$1" | ${JSON_FIELD('access_token')}; }`,
    `install -d -m 700 /etc/strato && install -m 600 /dev/null ${envFile}`,
  ]
  for (const [name, value] of Object.entries(spec.env ?? {})) {
    lines.push(`printf '%s=%s\\n' ${quote(name)} ${quote(String(value))} >> ${envFile}`)
  }
  if (spec.secrets?.length) {
    if (!vaultUri) throw new Error(`renderCustomData: service ${service} has secrets but no vault URI`)
    const vault = vaultUri.replace(/\/+$/, '')
    lines.push(
      'VAULT_TOKEN=$(token https%3A%2F%2Fvault.azure.net)',
      // the identity's role on the vault can take minutes to apply after the scale set is created
      `secret() { for attempt in $(seq 60); do if value=$(curl -sSf -H "Authorization: Bearer $VAULT_TOKEN" "${vault}/secrets/$1?api-version=7.4"); then printf '%s' "$value" | ${JSON_FIELD('value')}; return 0; fi; sleep 10; done; return 1; }`,
    )
    for (const name of spec.secrets) lines.push(`printf '%s=%s\\n' ${quote(name)} "$(secret ${quote(secretName(name))})" >> ${envFile}`)
  }
  if (acrHost) {
    lines.push(
      'ARM_TOKEN=$(token https%3A%2F%2Fmanagement.azure.com%2F)',
      `curl -sSf -X POST --data-urlencode grant_type=access_token --data-urlencode service=${quote(acrHost)} --data-urlencode "access_token=$ARM_TOKEN" https://${acrHost}/oauth2/exchange \\`,
      `  | ${JSON_FIELD('refresh_token')} | docker login ${quote(acrHost)} --username 00000000-0000-0000-0000-000000000000 --password-stdin`,
    )
  }
  const run = ['docker', 'run', '--detach', '--restart', 'unless-stopped', '--name', service, '--env-file', envFile]
  for (const name of hostNames(privateHosts, service).split(',').filter(Boolean)) run.push('--add-host', `${name}:${privateHosts[name]}`)
  if (spec.port !== undefined) run.push('--publish', `${spec.port}:${spec.port}`)
  run.push('--label', `${LABEL.project}=${project}`, '--label', `${LABEL.service}=${service}`, image, ...(spec.command ?? []))
  lines.push(run.map(quote).join(' '))
  return `${lines.join('\n')}\n`
}

/** Custom data as the scale set model carries it: base64. */
export function customDataBase64(input: CustomDataInput): string {
  return Buffer.from(renderCustomData(input)).toString('base64')
}
