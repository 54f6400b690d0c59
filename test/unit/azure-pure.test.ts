/** The azure provider's pure parts: names, the tag codec, release tags, custom data and autoscale refusals. */
import { describe, expect, it } from 'vitest'
import type { Autoscale, Service } from '../../src/manifest/schema.js'
import { compileAutoscale, cronValues, isoDuration, type AutoscaleContext } from '../../providers/azure/autoscaling-compile.js'
import { customDataBase64, isAcrImage, renderCustomData } from '../../providers/azure/custom-data.js'
import {
  assignFrontendPorts, autoscaleSettingName, computerNamePrefix, resourceGroupName, roleAssignmentName, scaleSetName, secretName, vaultName,
} from '../../providers/azure/naming.js'
import { encodeRelease, KEPT_RELEASES, readReleases, withRelease, type ServiceRelease } from '../../providers/azure/releases.js'
import { projectFilter } from '../../providers/azure/tagged-resources.js'

describe('azure names', () => {
  it('names the resource group after project and target unless the target names one', () => {
    expect(resourceGroupName('shop', 'azure', {})).toBe('strato-shop-azure')
    expect(resourceGroupName('shop', 'azure', { resourceGroup: 'prod-rg' })).toBe('prod-rg')
  })

  it('keeps scale set names within 64 characters, distinct for distinct services', () => {
    const long = 'a'.repeat(40)
    expect(scaleSetName('shop', 'users')).toBe('strato-shop-users')
    expect(scaleSetName(long, `${long}-x`)).toHaveLength(64)
    expect(scaleSetName(long, `${long}-x`)).not.toBe(scaleSetName(long, `${long}-y`))
    expect(autoscaleSettingName('shop', 'users')).toBe('strato-shop-users-autoscale')
  })

  it('makes short computer name prefixes that differ per service', () => {
    expect(computerNamePrefix('shop', 'users')).toMatch(/^users[0-9a-f]{4}$/)
    expect(computerNamePrefix('shop', 'users-api')).not.toBe(computerNamePrefix('shop', 'users-web'))
  })

  it('makes vault names Key Vault accepts: 3-24 characters, letters, digits, hyphens, starting with a letter', () => {
    for (const project of ['shop', 'a-very-long-project-name-indeed', 'x']) {
      const name = vaultName('sub', 'rg', project)
      expect(name).toMatch(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/)
    }
    expect(vaultName('sub-a', 'rg', 'shop')).not.toBe(vaultName('sub-b', 'rg', 'shop'))
  })

  it('maps variable names to Key Vault secret names', () => {
    expect(secretName('DB_PASSWORD')).toBe('DB-PASSWORD')
  })

  it('derives one GUID per principal, role and scope', () => {
    const a = roleAssignmentName('p1', 'role', '/subscriptions/s/resourceGroups/rg')
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(roleAssignmentName('p1', 'role', '/subscriptions/s/resourceGroups/RG')).toBe(a)
    expect(roleAssignmentName('p2', 'role', '/subscriptions/s/resourceGroups/rg')).not.toBe(a)
  })

  it('keeps frontend ports services already have and gives new ones 80, then 8081 on', () => {
    expect(assignFrontendPorts(['users', 'orders'], {})).toEqual({ orders: 80, users: 8081 })
    expect(assignFrontendPorts(['users', 'orders', 'api'], { orders: 80, users: 8081 })).toEqual({ orders: 80, users: 8081, api: 8082 })
    expect(assignFrontendPorts(['users'], { orders: 80, users: 8081 })).toEqual({ users: 8081 })
    expect(assignFrontendPorts(['users', 'zeta'], { users: 8081 })).toEqual({ users: 8081, zeta: 80 })
  })
})

describe('azure tag filters', () => {
  it('selects resources by the project tag, quoting the value', () => {
    expect(projectFilter('shop')).toBe("tagName eq 'strato.project' and tagValue eq 'shop'")
    expect(projectFilter("o'neil")).toBe("tagName eq 'strato.project' and tagValue eq 'o''neil'")
  })
})

describe('azure release tags', () => {
  const release = (number: number, extra: Partial<ServiceRelease> = {}): ServiceRelease => ({
    number, at: '2026-11-30T10:00:00Z', by: 'ci', kind: 'deploy', version: `v${number}`, image: `registry.example/users:${number}`, replicas: 2, ...extra,
  })

  it('round-trips a record through a tag value of at most 256 characters', () => {
    const tags = withRelease({ 'strato.project': 'shop' }, release(1))
    expect(readReleases(tags)).toEqual([release(1)])
    expect(tags['strato.project']).toBe('shop')
  })

  it('keeps the newest records only', () => {
    let tags: Record<string, string> = {}
    for (let n = 1; n <= KEPT_RELEASES + 3; n++) tags = withRelease(tags, release(n))
    expect(readReleases(tags).map((entry) => entry.number)).toEqual(Array.from({ length: KEPT_RELEASES }, (_, i) => i + 4))
  })

  it('drops the author, then the image, before exceeding a tag value', () => {
    expect(encodeRelease(release(1, { by: 'b'.repeat(250) })).length).toBeLessThanOrEqual(256)
    const long = encodeRelease(release(1, { image: `registry.example/${'i'.repeat(260)}:1` }))
    expect(long.length).toBeLessThanOrEqual(256)
    expect(readReleases({ 'strato.release.1': long })[0].image).toBe('')
  })

  it('skips records edited into something else', () => {
    expect(readReleases({ 'strato.release.1': 'not json', 'strato.release.x': '{}', 'strato.release.2': JSON.stringify({ v: 'a', r: 1 }) }).map((entry) => entry.number)).toEqual([2])
  })
})

describe('azure custom data', () => {
  const spec: Service = { image: 'shop.azurecr.io/users:1.4.2', port: 8080, env: { LOG_LEVEL: 'info', GREETING: "it's on" }, secrets: ['DB_PASSWORD'], command: ['node', 'main.js'] }

  it('installs Docker, writes env, reads secrets from Key Vault with the VM identity and runs the image', () => {
    const script = renderCustomData({ project: 'shop', service: 'users', image: spec.image!, spec, vaultUri: 'https://kv-shop-1234.vault.azure.net/', acrHost: 'shop.azurecr.io' })
    expect(script.split('\n')).toEqual([
      '#!/bin/bash',
      '# Written by strato: installs Docker and runs one service. Secrets are read from Key Vault at boot.',
      '# service users of shop, image shop.azurecr.io/users:1.4.2',
      'set -euo pipefail',
      'export DEBIAN_FRONTEND=noninteractive',
      'apt-get update -q && apt-get install -y -q docker.io curl python3',
      'systemctl enable --now docker',
      `token() { curl -sSf -H Metadata:true "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }`,
      'install -d -m 700 /etc/strato && install -m 600 /dev/null /etc/strato/service.env',
      "printf '%s=%s\\n' LOG_LEVEL info >> /etc/strato/service.env",
      `printf '%s=%s\\n' GREETING 'it'"'"'s on' >> /etc/strato/service.env`,
      'VAULT_TOKEN=$(token https%3A%2F%2Fvault.azure.net)',
      `secret() { for attempt in $(seq 60); do if value=$(curl -sSf -H "Authorization: Bearer $VAULT_TOKEN" "https://kv-shop-1234.vault.azure.net/secrets/$1?api-version=7.4"); then printf '%s' "$value" | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"])'; return 0; fi; sleep 10; done; return 1; }`,
      `printf '%s=%s\\n' DB_PASSWORD "$(secret DB-PASSWORD)" >> /etc/strato/service.env`,
      'ARM_TOKEN=$(token https%3A%2F%2Fmanagement.azure.com%2F)',
      'curl -sSf -X POST --data-urlencode grant_type=access_token --data-urlencode service=shop.azurecr.io --data-urlencode "access_token=$ARM_TOKEN" https://shop.azurecr.io/oauth2/exchange \\',
      `  | python3 -c 'import json,sys; print(json.load(sys.stdin)["refresh_token"])' | docker login shop.azurecr.io --username 00000000-0000-0000-0000-000000000000 --password-stdin`,
      'docker run --detach --restart unless-stopped --name users --env-file /etc/strato/service.env --publish 8080:8080 --label strato.project=shop --label strato.service=users shop.azurecr.io/users:1.4.2 node main.js',
      '',
    ])
  })

  it('never carries a secret value, even when one is in the environment', () => {
    const value = ['s3', 'cr', 'et', '-', Date.now()].join('')
    process.env.DB_PASSWORD = value
    try {
      const encoded = customDataBase64({ project: 'shop', service: 'users', image: 'registry.example/users:1', spec, vaultUri: 'https://kv.vault.azure.net/' })
      expect(Buffer.from(encoded, 'base64').toString('utf8')).not.toContain(value)
    } finally {
      delete process.env.DB_PASSWORD
    }
  })

  it('refuses a service with secrets but no vault', () => {
    expect(() => renderCustomData({ project: 'shop', service: 'users', image: 'x', spec })).toThrow(/no vault URI/)
  })

  it('tells Azure Container Registry images from others', () => {
    expect(isAcrImage('shop.azurecr.io/users:1')).toBe(true)
    expect(isAcrImage('registry.example/users:1')).toBe(false)
  })
})

describe('azure autoscale compilation refusals', () => {
  const context: AutoscaleContext = { service: 'users', location: 'westeurope', targetResourceUri: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/x', name: 'x-autoscale', tags: {} }
  const refusal = (policy: Autoscale) => {
    try {
      compileAutoscale(policy, context)
    } catch (error) {
      return { message: (error as Error).message, code: (error as { exitCode?: number }).exitCode }
    }
    throw new Error('expected a refusal')
  }

  it('refuses what Azure cannot express, naming the manifest path, as a usage error', () => {
    expect(refusal({ min: 1, max: 3, target: { memory: 70 } })).toEqual({ message: expect.stringContaining('services.users.autoscale.target.memory'), code: 2 })
    expect(refusal({ min: 1, max: 3, target: { requests: 100 } }).message).toContain('target.requests')
    expect(refusal({ min: 1, max: 3, steps: [{ metric: 'requests', above: 10, change: 1 }] }).message).toContain('steps[0].metric')
    expect(refusal({ min: 1, max: 3, schedule: [{ cron: '0 8 1 * *' }] }).message).toContain('schedule[0].cron')
    expect(refusal({ min: 1, max: 3, schedule: [{ cron: '0 8 * * 1', timezone: 'Mars/Olympus' }] }).message).toContain('schedule[0].timezone')
    expect(refusal({ min: 1, max: 3, target: { cpu: 50 }, cooldown: '30s' }).message).toContain('cooldown')
    expect(refusal({ min: 1, max: 3, target: { cpu: 50 }, stabilization: '1m' }).message).toContain('stabilization')
    expect(refusal({ min: 1, max: 3, steps: Array.from({ length: 11 }, () => ({ metric: 'cpu' as const, above: 50, change: 1 })) }).message).toContain('at most 10')
    expect(refusal({ min: 1, max: 2000, target: { cpu: 50 } }).message).toContain('1000')
  })

  it('expands cron fields and formats durations as Azure takes them', () => {
    expect(cronValues('*/15', 0, 59, 'p')).toEqual([0, 15, 30, 45])
    expect(cronValues('1-5,0', 0, 7, 'p')).toEqual([0, 1, 2, 3, 4, 5])
    expect(isoDuration(90)).toBe('PT1M30S')
    expect(isoDuration(3600)).toBe('PT1H')
    expect(isoDuration(86400)).toBe('P1D')
  })
})
