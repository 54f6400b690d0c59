/**
 * Live checks on an aws target, end to end through the CLI against moto: the
 * aws provider's facts (security groups, volumes) meet the AWS rules.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMoto, type Moto } from '../helpers/moto.js'

const bin = path.resolve('bin/run.js')
const region = 'eu-west-1'
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' }
let moto: Moto

beforeAll(async () => {
  moto = await startMoto()
})

afterAll(async () => {
  await moto?.stop()
})

describe('strato check --live on an aws target', () => {
  it('reports an SSH port open to the world and an unencrypted volume by resource id, and a missing required tag', async () => {
    const ec2 = new EC2Client({ endpoint: moto.endpoint, region, credentials, maxAttempts: 1 })
    const tags = [{ Key: 'strato.project', Value: 'shop' }]
    const group = await ec2.send(new CreateSecurityGroupCommand({
      GroupName: 'shop-orders', Description: 'orders', TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }],
    }))
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: group.GroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
      ],
    }))
    const plain = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: 8, Encrypted: false, TagSpecifications: [{ ResourceType: 'volume', Tags: tags }] }))
    const sealed = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: 8, Encrypted: true, TagSpecifications: [{ ResourceType: 'volume', Tags: [...tags, { Key: 'owner', Value: 'payments' }] }] }))

    const dir = mkdtempSync(path.join(tmpdir(), 'strato-live-aws-'))
    writeFileSync(path.join(dir, 'strato.yaml'), [
      'name: shop',
      'services:',
      '  orders: { image: "registry.example/orders:1.0.0", port: 8080, health: /healthz, restart: always, resources: { memory: 128Mi } }',
      'targets:',
      `  aws: { provider: aws, region: ${region}, endpoint: "${moto.endpoint}" }`,
      'checks: { requiredTags: [owner] }',
      '',
    ].join('\n'))
    const env = {
      NO_COLOR: '1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'testing',
      AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    }
    const result = await execa(process.execPath, [bin, 'check', '--target', 'aws', '--json'], { cwd: dir, reject: false, env })
    expect(result.stderr).not.toMatch(/skipped/)
    const report = JSON.parse(result.stdout)
    const where = (id: string) => report.findings.filter((finding: { ruleId: string }) => finding.ruleId === id).map((finding: { location: { resource: string } }) => finding.location.resource)
    expect(where('AWS-001')).toEqual([group.GroupId])
    expect(where('AWS-002')).toEqual([plain.VolumeId])
    expect(where('AWS-005')).toEqual(expect.arrayContaining([group.GroupId, plain.VolumeId]))
    expect(where('AWS-005')).not.toContain(sealed.VolumeId)
  })
})
