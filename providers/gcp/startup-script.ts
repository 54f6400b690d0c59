/**
 * The startup script of a service's instances (metadata `startup-script`,
 * run by the guest agent at every boot): installs Docker, reads the
 * service's secrets from Secret Manager with the instance's own service
 * account (a token from the metadata server), logs in to Artifact Registry
 * the same way when the image lives there, and runs the image with its
 * env and an `--add-host` per private service of the project (the internal
 * balancer's address: no DNS zone needed). Secret values never appear in the script or in metadata.
 */
import type { Service } from '../../src/manifest/schema.js'
import { LABEL } from '../../src/model.js'
import { shellQuote, shellWord } from '../../src/shell-quote.js'
import { secretId } from './naming.js'

export const ENV_FILE = '/etc/strato/service.env'

/** The Artifact Registry host of an image (REGION-docker.pkg.dev), if it lives there. */
export function artifactRegistryHost(image: string): string | undefined {
  return /^([a-z0-9-]+-docker\.pkg\.dev)\//.exec(image)?.[1]
}

export interface StartupScriptInput {
  project: string
  gcpProject: string
  service: string
  image: string
  spec: Service
  /** names the container resolves without DNS: each private service of the project at the internal balancer's address */
  hosts?: Record<string, string>
}

/** The names a rendered script gives its container with --add-host, sorted. */
export function addedHosts(script: string | null | undefined): string[] {
  return [...(script ?? '').matchAll(/--add-host ([^:\s]+):/g)].map((match) => match[1]).sort()
}

export function renderStartupScript(input: StartupScriptInput): string {
  const { project, gcpProject, service, image, spec } = input
  const lines = [
    '#!/bin/bash',
    '# Written by strato: installs Docker and runs one service. Secrets are read from Secret Manager at boot.',
    'set -euo pipefail',
    'if ! command -v docker >/dev/null 2>&1; then',
    '  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io curl python3',
    'fi',
    'systemctl enable --now docker',
    'METADATA=http://metadata.google.internal/computeMetadata/v1',
    'token() { curl -sSf -H "Metadata-Flavor: Google" "$METADATA/instance/service-accounts/default/token" | python3 -c \'import json, sys; print(json.load(sys.stdin)["access_token"])\'; }',
  ]
  if (spec.secrets?.length) {
    lines.push(`secret() { curl -sSf -H "Authorization: Bearer $(token)" "https://secretmanager.googleapis.com/v1/projects/${gcpProject}/secrets/$1/versions/latest:access" | python3 -c 'import base64, json, sys; sys.stdout.write(base64.b64decode(json.load(sys.stdin)["payload"]["data"]).decode())'; }`)
  }
  lines.push(`install -d -m 700 /etc/strato && install -m 600 /dev/null ${ENV_FILE}`)
  for (const [name, value] of Object.entries(spec.env ?? {})) {
    lines.push(`printf '%s=%s\\n' ${shellQuote(name)} ${shellQuote(String(value))} >> ${ENV_FILE}`)
  }
  for (const name of spec.secrets ?? []) {
    lines.push(`printf '%s=%s\\n' ${shellQuote(name)} "$(secret ${shellQuote(secretId(project, name))})" >> ${ENV_FILE}`)
  }
  const registry = artifactRegistryHost(image)
  if (registry) lines.push(`token | docker login --username oauth2accesstoken --password-stdin https://${registry}`)
  lines.push(`docker rm --force ${shellWord(service)} >/dev/null 2>&1 || true`)
  const run = ['docker', 'run', '--detach', '--restart', spec.restart ?? 'unless-stopped', '--name', service, '--env-file', ENV_FILE]
  if (spec.user) run.push('--user', spec.user)
  for (const [name, address] of Object.entries(input.hosts ?? {}).sort(([a], [b]) => a.localeCompare(b))) run.push('--add-host', `${name}:${address}`)
  if (spec.port !== undefined) run.push('--publish', `${spec.port}:${spec.port}`)
  run.push('--label', `${LABEL.project}=${project}`, '--label', `${LABEL.service}=${service}`, image, ...(spec.command ?? []))
  lines.push(run.map(shellWord).join(' '))
  return `${lines.join('\n')}\n`
}
