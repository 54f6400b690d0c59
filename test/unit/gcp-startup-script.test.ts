import { describe, expect, it } from 'vitest'
import { artifactRegistryHost, renderStartupScript } from '../../providers/gcp/startup-script.js'

describe('gcp startup script', () => {
  it('installs Docker, reads secrets from Secret Manager and runs the image with its env', () => {
    const script = renderStartupScript({
      project: 'shop', gcpProject: 'acme-prod', service: 'orders',
      image: 'europe-west1-docker.pkg.dev/acme-prod/shop/orders:2.0.0',
      spec: { port: 8080, env: { LOG_LEVEL: 'info', GREETING: "it's" }, secrets: ['DB_PASSWORD'], command: ['node', 'server.js'] },
    })
    expect(script.split('\n')).toEqual([
      '#!/bin/bash',
      '# Written by strato: installs Docker and runs one service. Secrets are read from Secret Manager at boot.',
      'set -euo pipefail',
      'if ! command -v docker >/dev/null 2>&1; then',
      '  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io curl python3',
      'fi',
      'systemctl enable --now docker',
      'METADATA=http://metadata.google.internal/computeMetadata/v1',
      'token() { curl -sSf -H "Metadata-Flavor: Google" "$METADATA/instance/service-accounts/default/token" | python3 -c \'import json, sys; print(json.load(sys.stdin)["access_token"])\'; }',
      'secret() { curl -sSf -H "Authorization: Bearer $(token)" "https://secretmanager.googleapis.com/v1/projects/acme-prod/secrets/$1/versions/latest:access" | python3 -c \'import base64, json, sys; sys.stdout.write(base64.b64decode(json.load(sys.stdin)["payload"]["data"]).decode())\'; }',
      'install -d -m 700 /etc/strato && install -m 600 /dev/null /etc/strato/service.env',
      "printf '%s=%s\\n' 'LOG_LEVEL' 'info' >> /etc/strato/service.env",
      `printf '%s=%s\\n' 'GREETING' 'it'"'"'s' >> /etc/strato/service.env`,
      "printf '%s=%s\\n' 'DB_PASSWORD' \"$(secret 'strato-shop-DB_PASSWORD')\" >> /etc/strato/service.env",
      'token | docker login --username oauth2accesstoken --password-stdin https://europe-west1-docker.pkg.dev',
      'docker rm --force orders >/dev/null 2>&1 || true',
      'docker run --detach --restart unless-stopped --name orders --env-file /etc/strato/service.env --publish 8080:8080 --label strato.project=shop --label strato.service=orders europe-west1-docker.pkg.dev/acme-prod/shop/orders:2.0.0 node server.js',
      '',
    ])
  })

  it('has no secret helper or registry login when the service needs neither; runs as its user with its restart policy', () => {
    const script = renderStartupScript({ project: 'shop', gcpProject: 'acme-prod', service: 'users', image: 'nginx:1.27', spec: { port: 80 } })
    const db = renderStartupScript({ project: 'shop', gcpProject: 'acme-prod', service: 'db', image: 'postgres:16.4-bookworm', spec: { port: 5432, user: 'postgres', restart: 'always' } })
    expect(db.split('\n').at(-2)).toBe('docker run --detach --restart always --name db --env-file /etc/strato/service.env --user postgres --publish 5432:5432 --label strato.project=shop --label strato.service=db postgres:16.4-bookworm')
    expect(script).not.toContain('secret()')
    expect(script).not.toContain('docker login')
    expect(artifactRegistryHost('us-docker.pkg.dev/p/r/i:1')).toBe('us-docker.pkg.dev')
    expect(artifactRegistryHost('ghcr.io/x/y:1')).toBeUndefined()
  })
})
