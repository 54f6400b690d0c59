import { describe, expect, it } from 'vitest'
import { launchTemplateData, renderUserData } from '../../providers/aws/launch-template.js'
import { shellQuote } from '../../src/shell-quote.js'
import { balancerName, targetGroupName } from '../../providers/aws/naming.js'
import { instancePolicy, instanceRoleName } from '../../providers/aws/instance-role.js'
import { dockerBuildArgs, imageReference } from '../../providers/image-build.js'

const input = {
  project: 'shop', service: 'users', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/users:1.4.2', version: 'abc123def456',
  instanceType: 't3.small', imageId: 'ami-0123456789abcdef0', appSecurityGroupId: 'sg-0app', publicIp: false,
  spec: { image: 'x', port: 8080, env: { LOG_LEVEL: 'info', GREETING: "it's" }, secrets: ['DB_PASSWORD'], command: ['node', 'server.js'] },
}

describe('aws launch template', () => {
  it('requires IMDSv2, encrypts the root volume and gives a public IP only when asked', () => {
    const data = launchTemplateData(input)
    expect(data.MetadataOptions).toEqual({ HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2 })
    expect(data.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } }])
    expect(data.NetworkInterfaces).toEqual([{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: ['sg-0app'], DeleteOnTermination: true }])
    expect(launchTemplateData({ ...input, publicIp: true }).NetworkInterfaces?.[0].AssociatePublicIpAddress).toBe(true)
    expect(data.InstanceType).toBe('t3.small')
    expect(data.TagSpecifications?.map((spec) => spec.ResourceType)).toEqual(['instance', 'volume'])
    expect(data.TagSpecifications?.[0].Tags).toContainEqual({ Key: 'strato.version', Value: 'abc123def456' })
    expect(Buffer.from(data.UserData!, 'base64').toString()).toBe(renderUserData(input))
    expect(data.IamInstanceProfile).toBeUndefined()
    expect(launchTemplateData({ ...input, instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/strato-shop-instance' }).IamInstanceProfile)
      .toEqual({ Arn: 'arn:aws:iam::123456789012:instance-profile/strato-shop-instance' })
  })

  it('lets instances read only their project\'s secrets', () => {
    const policy = instancePolicy('shop', 'eu-west-1') as { Statement: { Action: string | string[]; Resource: string }[] }
    expect(policy.Statement[0]).toEqual({ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: 'arn:aws:ssm:eu-west-1:*:parameter/strato/shop/*' })
    expect(instanceRoleName('shop')).toBe('strato-shop-instance')
    expect(instanceRoleName('p'.repeat(63)).length).toBeLessThanOrEqual(64)
  })

  it('writes a boot script that installs Docker, reads secrets from SSM and runs the image', () => {
    const script = renderUserData(input)
    expect(script.startsWith('#!/bin/bash\n')).toBe(true)
    expect(script).toContain('systemctl enable --now docker')
    expect(script).toContain(`printf '%s=%s\\n' 'GREETING' 'it'"'"'s' >> /etc/strato/service.env`)
    expect(script).toContain(`--name '/strato/shop/DB_PASSWORD' --query Parameter.Value`)
    expect(script).toContain('aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin')
    expect(script.trimEnd().split('\n').at(-1)).toBe(
      'docker run --detach --restart unless-stopped --name users --env-file /etc/strato/service.env --publish 8080:8080 ' +
      '--label strato.project=shop --label strato.service=users 123456789012.dkr.ecr.eu-west-1.amazonaws.com/users:1.4.2 node server.js')
  })

  it('quotes for the shell', () => {
    expect(shellQuote("a'b")).toBe(`'a'"'"'b'`)
    expect(shellQuote('$(rm -rf /)')).toBe(`'$(rm -rf /)'`)
  })

  it('keeps load balancer and target group names within 32 characters and distinct', () => {
    expect(balancerName('shop')).toBe('strato-shop')
    expect(targetGroupName('shop', 'users')).toBe('strato-shop-users')
    const long = targetGroupName('a-very-long-project-name-for-testing', 'users')
    const other = targetGroupName('a-very-long-project-name-for-testing', 'orders')
    expect(long.length).toBeLessThanOrEqual(32)
    expect(long).not.toBe(other)
    expect(long).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
    expect(balancerName('a-very-long-project-name-for-testing-too').length).toBeLessThanOrEqual(32)
  })

  it('builds and names images for the target registry', () => {
    const ref = imageReference('registry.local:5000/', 'shop', 'users', 'abc')
    expect(ref).toBe('registry.local:5000/shop-users:abc')
    expect(dockerBuildArgs('/p', { build: { context: 'svc', dockerfile: 'Dockerfile.prod', args: { A: '1' } } }, ref))
      .toEqual(['build', '--tag', ref, '--file', '/p/svc/Dockerfile.prod', '--build-arg', 'A=1', '/p/svc'])
  })
})
