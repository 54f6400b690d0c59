import { describe, expect, it } from 'vitest'
import { applicableFirewalls, diskFact, firewallFact, instanceFact } from '../../providers/gcp/facts.js'
import { gcpRules } from '../../src/checks/rules/gcp.js'

const network = 'https://www.googleapis.com/compute/v1/projects/p/global/networks/default'
const instance = {
  name: 'strato-shop-users-ab12', zone: 'https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b',
  networkInterfaces: [{ network, accessConfigs: [{ natIP: '34.76.10.20' }] }],
  serviceAccounts: [{ email: 'strato-shop@p.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
  metadata: { items: [{ key: 'startup-script', value: 'secret-bearing script' }, { key: 'block-project-ssh-keys', value: 'TRUE' }] },
  tags: { items: ['strato-shop-users'] }, labels: { 'strato-project': 'shop' },
}

describe('gcp live facts', () => {
  it('reads instances without metadata values', () => {
    const fact = instanceFact(instance, 'gcp')
    expect(fact).toEqual({
      kind: 'gcp.instance', resource: 'strato-shop-users-ab12', target: 'gcp',
      data: {
        name: 'strato-shop-users-ab12', zone: 'europe-west1-b', publicIps: ['34.76.10.20'],
        serviceAccounts: [{ email: 'strato-shop@p.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
        metadataKeys: ['startup-script', 'block-project-ssh-keys'], blockProjectSshKeys: true, labels: { 'strato-project': 'shop' },
      },
    })
    expect(JSON.stringify(fact)).not.toContain('secret-bearing')
    expect(instanceFact({ ...instance, metadata: { items: [{ key: 'enable-oslogin', value: 'true' }] } }, 'gcp').data.blockProjectSshKeys).toBe(true)
    expect(instanceFact({ ...instance, metadata: {} }, 'gcp').data.blockProjectSshKeys).toBe(false)
  })

  it('tells the three kinds of disk encryption apart', () => {
    expect(diskFact({ name: 'd', zone: 'zones/z' }, 'gcp').data.encryption).toBe('google-managed')
    expect(diskFact({ name: 'd', diskEncryptionKey: { kmsKeyName: 'projects/p/locations/l/keyRings/r/cryptoKeys/k' } }, 'gcp').data.encryption).toBe('customer-managed')
    expect(diskFact({ name: 'd', diskEncryptionKey: { sha256: 'abc' } }, 'gcp').data.encryption).toBe('customer-supplied')
  })

  it('keeps the firewall rules that reach the instances: same network, no target tags or one of theirs', () => {
    const rules = [
      { name: 'all', network, targetTags: [] },
      { name: 'ours', network, targetTags: ['strato-shop-users'] },
      { name: 'others', network, targetTags: ['db'] },
      { name: 'elsewhere', network: network.replace('default', 'other'), targetTags: [] },
    ]
    expect(applicableFirewalls(rules, [instance]).map((rule) => rule.name)).toEqual(['all', 'ours'])
  })

  it('feeds the GCP rules the shapes they read', () => {
    const facts = [
      firewallFact({ name: 'admin', network, direction: 'INGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['22'] }], sourceRanges: ['0.0.0.0/0'] }, 'gcp'),
      instanceFact({ ...instance, serviceAccounts: [{ email: '123456789012-compute@developer.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }] }, 'gcp'),
    ]
    const hits = gcpRules.flatMap((rule) => facts.filter((fact) => rule.reads.includes(fact.kind as never)).flatMap((fact) => rule.check(fact as never, { requiredTags: [] } as never).map(() => rule.id)))
    expect(hits.sort()).toEqual(['GCP-001', 'GCP-002', 'GCP-003'])
  })
})
