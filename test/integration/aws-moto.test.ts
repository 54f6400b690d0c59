/**
 * The aws provider end to end against moto: deploy -> status -> scale ->
 * autoscale apply -> redeploy (no-op) -> update -> facts -> cost -> destroy,
 * asserting after each step what moto then holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DetachLoadBalancerTargetGroupsCommand, DescribePoliciesCommand, DescribeScheduledActionsCommand } from '@aws-sdk/client-auto-scaling'
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch'
import { DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2'
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetInstanceProfileCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam'
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress, type Action } from '../../src/model.js'
import { desiredState } from '../../src/planning/desired.js'
import { planTarget } from '../../src/planning/plan.js'
import { serviceVersion } from '../../src/planning/version.js'
import { AwsProvider } from '../../providers/aws/index.js'
import { startMoto, useDummyAwsCredentials, type Moto } from '../helpers/moto.js'

const REGION = 'eu-west-1'
let moto: Moto
let restoreEnv: () => void

function manifestFor(endpoint: string, usersImage = 'registry.example/users:1.4.2'): Manifest {
  return {
    name: 'shop',
    services: {
      users: {
        image: usersImage, port: 8080, health: '/healthz', env: { LOG_LEVEL: 'info' }, secrets: ['DB_PASSWORD'],
        autoscale: {
          min: 2, max: 4, target: { cpu: 60, requests: 100 },
          steps: [{ metric: 'cpu', above: 85, change: 2 }, { metric: 'cpu', below: 20, change: -1 }],
          schedule: [{ cron: '0 8 * * 1-5', min: 2, max: 4 }],
          cooldown: '60s', stabilization: '5m',
        },
      },
      orders: { image: 'registry.example/orders:2.0.0', port: 3000, health: '/health', replicas: 1 },
    },
    targets: { aws: { provider: 'aws', region: REGION, instanceType: 't3.small', endpoint } },
  }
}

function providerFor(manifest: Manifest, env: NodeJS.ProcessEnv = {}, healthTimeoutMs = 5000) {
  return new AwsProvider({
    manifest, targetName: 'aws', target: manifest.targets!.aws, projectDir: process.cwd(),
    env, progress: silentProgress, settings: { maxAttempts: 2 },
  }, { healthTimeoutMs, pollMs: 50, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))), now: () => Date.now() })
}

async function plan(provider: AwsProvider, manifest: Manifest): Promise<Action[]> {
  const versions = Object.fromEntries(Object.entries(manifest.services).map(([name, spec]) => [name, serviceVersion(process.cwd(), name, spec)]))
  return planTarget('aws', desiredState(manifest, manifest.targets!, versions), await provider.inventory(manifest.name))
}

const clients = () => {
  const config = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }
  return {
    ec2: new EC2Client(config), asg: new AutoScalingClient(config), elb: new ElasticLoadBalancingV2Client(config),
    cw: new CloudWatchClient(config), ssm: new SSMClient(config), iam: new IAMClient({ ...config, region: 'us-east-1' }),
  }
}

async function groups() {
  const answer = await clients().asg.send(new DescribeAutoScalingGroupsCommand({}))
  return answer.AutoScalingGroups ?? []
}

async function runningInstances(service: string) {
  const answer = await clients().ec2.send(new DescribeInstancesCommand({ Filters: [
    { Name: 'tag:strato.service', Values: [service] }, { Name: 'instance-state-name', Values: ['pending', 'running'] },
  ] }))
  return (answer.Reservations ?? []).flatMap((r) => r.Instances ?? [])
}

beforeAll(async () => {
  restoreEnv = useDummyAwsCredentials()
  moto = await startMoto()
})

afterAll(async () => {
  await moto?.stop()
  restoreEnv?.()
})

describe('aws provider against moto: the full cycle', () => {
  it('deploys, reports, scales, autoscales, redeploys as a no-op, rolls out, costs and destroys', async () => {
    const manifest = manifestFor(moto.endpoint)
    const provider = providerFor(manifest, { DB_PASSWORD: 'hunter2-not-in-user-data' })
    const c = clients()

    // deploy
    const first = await plan(provider, manifest)
    expect(first.map((a) => [a.service, a.kind, a.to])).toEqual([['users', 'create', 2], ['orders', 'create', 1]])
    const result = await provider.apply(first, silentProgress)
    expect(Object.keys(result.endpoints).sort()).toEqual(['orders', 'users'])
    expect(result.warnings).toEqual([expect.stringContaining('Instances get public IPs in the default VPC')])

    const deployed = await groups()
    const users = deployed.find((g) => g.AutoScalingGroupName === 'strato-shop-users')!
    expect(users.MinSize).toBe(2)
    expect(users.MaxSize).toBe(4)
    expect(users.DesiredCapacity).toBe(2)
    expect(users.HealthCheckType).toBe('ELB')
    expect(users.VPCZoneIdentifier!.split(',').length).toBeGreaterThanOrEqual(2)
    const tags = Object.fromEntries((users.Tags ?? []).map((t) => [t.Key, t.Value]))
    expect(tags['strato.project']).toBe('shop')
    expect(tags['strato.service']).toBe('users')
    expect(tags['strato.version']).toBe(first[0].toVersion)
    expect(await runningInstances('users')).toHaveLength(2)

    const templates = await c.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['users'] }] }))
    const version = await c.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templates.LaunchTemplates![0].LaunchTemplateId, Versions: ['$Latest'] }))
    const data = version.LaunchTemplateVersions![0].LaunchTemplateData!
    expect(data.InstanceType).toBe('t3.small')
    expect(data.MetadataOptions?.HttpTokens).toBe('required')
    expect(data.BlockDeviceMappings?.[0].Ebs?.Encrypted).toBe(true)
    const userData = Buffer.from(data.UserData!, 'base64').toString()
    expect(userData).toContain('docker run')
    expect(userData).toContain('registry.example/users:1.4.2')
    expect(userData).toContain('/strato/shop/DB_PASSWORD')
    expect(userData).not.toContain('hunter2')
    const secret = await c.ssm.send(new GetParameterCommand({ Name: '/strato/shop/DB_PASSWORD', WithDecryption: true }))
    expect(secret.Parameter?.Type).toBe('SecureString')
    // the instances may read the project's secrets, nothing more
    const profile = await c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'strato-shop-instance' }))
    expect(data.IamInstanceProfile?.Arn).toBe(profile.InstanceProfile?.Arn)
    const policy = await c.iam.send(new GetRolePolicyCommand({ RoleName: 'strato-shop-instance', PolicyName: 'strato-instance' }))
    expect(decodeURIComponent(policy.PolicyDocument!)).toContain('arn:aws:ssm:eu-west-1:*:parameter/strato/shop/*')
    const ordersTemplate = await c.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['orders'] }] }))
    const ordersData = (await c.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: ordersTemplate.LaunchTemplates![0].LaunchTemplateId, Versions: ['$Latest'] }))).LaunchTemplateVersions![0].LaunchTemplateData!
    expect(ordersData.IamInstanceProfile).toBeUndefined()

    const sgs = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['users'] }] }))).SecurityGroups!
    const lbGroup = sgs.find((g) => g.Tags?.some((t) => t.Value === 'lb-security-group'))!
    const appGroup = sgs.find((g) => g.Tags?.some((t) => t.Value === 'app-security-group'))!
    expect(appGroup.IpPermissions).toHaveLength(1)
    expect(appGroup.IpPermissions![0].FromPort).toBe(8080)
    expect(appGroup.IpPermissions![0].IpRanges ?? []).toEqual([])
    expect(appGroup.IpPermissions![0].UserIdGroupPairs?.map((p) => p.GroupId)).toEqual([lbGroup.GroupId])

    const targetGroups = (await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!
    expect(targetGroups.find((g) => g.TargetGroupName === 'shop-users')?.HealthCheckPath).toBe('/healthz')
    const balancers = (await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!
    expect(balancers.map((b) => b.LoadBalancerName).sort()).toEqual(['shop-orders', 'shop-users'])
    const listeners = await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: balancers.find((b) => b.LoadBalancerName === 'shop-users')!.LoadBalancerArn }))
    expect(listeners.Listeners?.map((l) => l.Port)).toEqual([80])

    // status: read back from tags only
    const resources = await provider.inventory('shop')
    const replicas = resources.filter((r) => r.kind === 'instance' && r.service === 'users' && r.state === 'running')
    expect(replicas).toHaveLength(2)
    expect(replicas.every((r) => r.version === first[0].toVersion)).toBe(true)
    expect(resources.find((r) => r.kind === 'group' && r.service === 'users')?.endpoint).toMatch(/^http:\/\/shop-users/)

    // scale within bounds, then outside them
    await provider.scale('users', 3)
    expect((await groups()).find((g) => g.AutoScalingGroupName === 'strato-shop-users')!.DesiredCapacity).toBe(3)
    expect(await runningInstances('users')).toHaveLength(3)
    const outside = await provider.scale('users', 9).catch((error: unknown) => error)
    expect(outside).toBeInstanceOf(UserError)
    expect((outside as UserError).exitCode).toBe(2)
    expect((outside as UserError).message).toContain('2..4')

    // autoscale apply, then again: idempotent
    const applied = await provider.applyAutoscaling('users', manifest.services.users.autoscale!)
    expect(applied.created.sort()).toEqual(['strato-schedule-1', 'strato-shop-users-step-1', 'strato-shop-users-step-2', 'strato-step-1', 'strato-step-2', 'strato-target-cpu', 'strato-target-requests'].sort())
    const policies = (await c.asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'strato-shop-users' }))).ScalingPolicies!
    const cpu = policies.find((p) => p.PolicyName === 'strato-target-cpu')!
    expect(cpu.TargetTrackingConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType).toBe('ASGAverageCPUUtilization')
    expect(cpu.TargetTrackingConfiguration?.TargetValue).toBe(60)
    const requests = policies.find((p) => p.PolicyName === 'strato-target-requests')!
    expect(requests.TargetTrackingConfiguration?.TargetValue).toBe(6000)
    expect(requests.TargetTrackingConfiguration?.PredefinedMetricSpecification?.ResourceLabel).toMatch(/^app\/shop-users\/.+\/targetgroup\/shop-users\/.+$/)
    const alarms = (await c.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'strato-shop-users-step-' }))).MetricAlarms!
    expect(alarms.map((a) => [a.AlarmName, a.ComparisonOperator, a.Threshold, a.EvaluationPeriods])).toEqual([
      ['strato-shop-users-step-1', 'GreaterThanThreshold', 85, 1],
      ['strato-shop-users-step-2', 'LessThanThreshold', 20, 5],
    ])
    expect(alarms[0].AlarmActions).toEqual([policies.find((p) => p.PolicyName === 'strato-step-1')!.PolicyARN])
    const schedules = (await c.asg.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'strato-shop-users' }))).ScheduledUpdateGroupActions!
    expect(schedules.map((s) => [s.ScheduledActionName, s.Recurrence, s.MinSize, s.MaxSize])).toEqual([['strato-schedule-1', '0 8 * * 1-5', 2, 4]])

    const again = await provider.applyAutoscaling('users', manifest.services.users.autoscale!)
    expect({ created: again.created, updated: again.updated, deleted: again.deleted }).toEqual({ created: [], updated: [], deleted: [] })
    expect(again.unchanged).toHaveLength(7)

    // dropping the step rules deletes their policies and alarms
    const fewer = { ...manifest.services.users.autoscale!, steps: undefined }
    const removed = await provider.applyAutoscaling('users', fewer)
    expect(removed.deleted.sort()).toEqual(['strato-shop-users-step-1', 'strato-shop-users-step-2', 'strato-step-1', 'strato-step-2'].sort())
    expect((await c.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'strato-shop-users-step-' }))).MetricAlarms).toEqual([])
    await provider.applyAutoscaling('users', manifest.services.users.autoscale!)

    // redeploy: nothing to create or update, and moto holds the same instances
    const before = (await runningInstances('users')).map((i) => i.InstanceId).sort()
    // (the autoscaler owns the count of users inside 2..4, so 3 stays)
    const second = await plan(provider, manifest)
    expect(second.map((a) => [a.service, a.kind])).toEqual([['users', 'noop'], ['orders', 'noop']])
    await provider.apply(second, silentProgress)
    expect((await runningInstances('users')).map((i) => i.InstanceId).sort()).toEqual(before)
    expect((await groups()).find((g) => g.AutoScalingGroupName === 'strato-shop-users')!.DesiredCapacity).toBe(3)

    // a new image rolls out: new template version, every instance replaced, capacity kept
    const updated = manifestFor(moto.endpoint, 'registry.example/users:1.5.0')
    const updater = providerFor(updated)
    const third = await plan(updater, updated)
    expect(third.find((a) => a.service === 'users')?.kind).toBe('update')
    await updater.apply(third, silentProgress)
    const after = await runningInstances('users')
    expect(after).toHaveLength(3)
    expect(after.some((i) => before.includes(i.InstanceId))).toBe(false)
    const group = (await groups()).find((g) => g.AutoScalingGroupName === 'strato-shop-users')!
    const newVersion = third.find((a) => a.service === 'users')!.toVersion
    expect(group.LaunchTemplate?.LaunchTemplateName).toBe(`strato-shop-users-${newVersion}`)
    expect(Object.fromEntries(group.Tags!.map((t) => [t.Key, t.Value]))['strato.version']).toBe(newVersion)
    const usersTemplates = await c.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['users'] }] }))
    expect(usersTemplates.LaunchTemplates?.map((t) => t.LaunchTemplateName)).toEqual([`strato-shop-users-${newVersion}`])

    // recent CPU of the group, from CloudWatch
    const now = Date.now()
    await c.cw.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [40, 70].map((value, i) => ({
      MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'strato-shop-users' }],
      Timestamp: new Date(now - (3 - i) * 60_000), Value: value, Unit: 'Percent',
    })) }))
    const samples = await updater.metrics('users', 600)
    expect(samples.map((sample) => [sample.metric, sample.value])).toEqual([['cpu', 40], ['cpu', 70]])

    // facts for the checks
    const facts = await updater.facts()
    const kinds = new Set(facts.map((f) => f.kind))
    expect([...kinds].sort()).toEqual(['aws.instance', 'aws.launchTemplate', 'aws.securityGroup', 'aws.volume'])
    const lt = facts.find((f) => f.kind === 'aws.launchTemplate' && (f.data.tags as Record<string, string>)['strato.service'] === 'users')!
    // the default VPC has no NAT, so instances there get public IPs (and a warning said so at deploy)
    expect(lt.data).toMatchObject({ httpTokens: 'required', rootVolumeEncrypted: true, associatePublicIp: true })
    const lbFact = facts.find((f) => f.kind === 'aws.securityGroup' && f.resource === lbGroup.GroupId)!
    expect(lbFact.data.ingress).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['0.0.0.0/0'], ipv6Cidrs: [] }])
    expect(facts.filter((f) => f.kind === 'aws.instance')).toHaveLength(4)

    // actual spend, from results queued in moto's Cost Explorer
    await moto.post('/moto-api/static/ce/cost-and-usage-results', { results: [{ ResultsByTime: [{
      TimePeriod: { Start: '2026-11-01', End: '2026-11-02' },
      Groups: [
        { Keys: ['strato.service$users'], Metrics: { UnblendedCost: { Amount: '1.25', Unit: 'USD' } } },
        { Keys: ['strato.service$orders'], Metrics: { UnblendedCost: { Amount: '0.5', Unit: 'USD' } } },
      ],
    }] }] })
    const costs = await updater.costs({ start: '2026-11-01', end: '2026-11-02', granularity: 'daily' })
    expect(costs).toEqual([
      { provider: 'aws', target: 'aws', service: 'users', date: '2026-11-01', amount: 1.25, currency: 'USD', source: 'aws cost explorer' },
      { provider: 'aws', target: 'aws', service: 'orders', date: '2026-11-01', amount: 0.5, currency: 'USD', source: 'aws cost explorer' },
    ])

    // a service dropped from strato.yaml is deleted by the next deploy
    const withoutOrders: Manifest = { ...updated, services: { users: updated.services.users } }
    const pruner = providerFor(withoutOrders)
    const fourth = await plan(pruner, withoutOrders)
    expect(fourth.find((a) => a.service === 'orders')?.kind).toBe('delete')
    await pruner.apply(fourth, silentProgress)
    expect((await groups()).map((g) => g.AutoScalingGroupName)).toEqual(['strato-shop-users'])
    expect(await runningInstances('orders')).toEqual([])
    expect((await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.map((b) => b.LoadBalancerName)).toEqual(['shop-users'])

    // destroy: everything the project created goes, in dependency order, and the tags prove it
    const destroyed = await pruner.destroy()
    expect(destroyed.remaining).toEqual([])
    expect(destroyed.removed).toMatchObject({ group: 1, instance: 3, balancer: 1, 'target-group': 1, 'security-group': 2, template: 1 })
    expect(await groups()).toEqual([])
    expect(await runningInstances('users')).toEqual([])
    expect((await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([])
    expect((await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([])
    expect((await c.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:strato.project', Values: ['shop'] }] }))).LaunchTemplates).toEqual([])
    expect((await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.project', Values: ['shop'] }] }))).SecurityGroups).toEqual([])
    expect((await c.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'strato-' }))).MetricAlarms).toEqual([])
    expect(await c.ssm.send(new GetParameterCommand({ Name: '/strato/shop/DB_PASSWORD' })).catch((e: Error) => e.name)).toBe('ParameterNotFound')
    expect(await c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'strato-shop-instance' })).catch((e: Error) => e.name)).toBe('NoSuchEntityException')
    expect((await updater.inventory('shop')).filter((r) => r.state !== 'stopped')).toEqual([])
    for (const each of [provider, updater, pruner]) await each.close()
  })
})

describe('aws provider against moto: a rollout that never turns healthy', () => {
  it('rolls back to the previous launch template and keeps the old instances', async () => {
    await moto.reset()
    const manifest = manifestFor(moto.endpoint)
    const provider = providerFor(manifest, { DB_PASSWORD: 'x' })
    await provider.apply(await plan(provider, manifest), silentProgress)
    const before = (await runningInstances('users')).map((i) => i.InstanceId).sort()
    const group = (await groups()).find((g) => g.AutoScalingGroupName === 'strato-shop-users')!
    // New instances are no longer registered with the load balancer, so they never pass its health check.
    await clients().asg.send(new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'strato-shop-users', TargetGroupARNs: group.TargetGroupARNs }))

    const broken = manifestFor(moto.endpoint, 'registry.example/users:9.9.9')
    const updater = providerFor(broken, { DB_PASSWORD: 'x' }, 1000)
    const actions = (await plan(updater, broken)).filter((a) => a.service === 'users')
    const error = await updater.apply(actions, silentProgress).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(1)
    expect((error as UserError).message).toBe('The rollout of users failed its health check and was rolled back to the previous version.')

    const after = (await groups()).find((g) => g.AutoScalingGroupName === 'strato-shop-users')!
    expect(after.LaunchTemplate?.LaunchTemplateId).toBe(group.LaunchTemplate?.LaunchTemplateId)
    expect(after.DesiredCapacity).toBe(2)
    expect(Object.fromEntries(after.Tags!.map((t) => [t.Key, t.Value]))['strato.version']).toBe(Object.fromEntries(group.Tags!.map((t) => [t.Key, t.Value]))['strato.version'])
    expect((await runningInstances('users')).map((i) => i.InstanceId).sort()).toEqual(before)
    const templates = await clients().ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['users'] }] }))
    expect(templates.LaunchTemplates?.map((t) => t.LaunchTemplateId)).toEqual([group.LaunchTemplate?.LaunchTemplateId])
    await provider.close()
    await updater.close()
  })
})

describe('aws provider against moto: bad input fails before anything is created', () => {
  async function nothingCreated() {
    const c = clients()
    expect(await groups()).toEqual([])
    expect((await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([])
    expect((await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.project', Values: ['shop'] }] }))).SecurityGroups).toEqual([])
  }

  it('rejects an unknown instance type with a suggestion', async () => {
    await moto.reset()
    const manifest = manifestFor(moto.endpoint)
    manifest.targets!.aws = { ...manifest.targets!.aws, instanceType: 't3.smal' } as NonNullable<Manifest["targets"]>[string]
    const provider = providerFor(manifest, { DB_PASSWORD: 'x' })
    const error = await provider.apply(await plan(provider, manifest), silentProgress).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(2)
    expect((error as UserError).message).toContain('"t3.smal" is not an EC2 instance type')
    expect((error as UserError).message).toContain('did you mean "t3.small"')
    await nothingCreated()
  })

  it('rejects a region that does not exist, naming the closest one', () => {
    const manifest = manifestFor(moto.endpoint)
    manifest.targets!.aws = { ...manifest.targets!.aws, region: 'eu-west-9' } as NonNullable<Manifest["targets"]>[string]
    let error: unknown
    try {
      providerFor(manifest)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(2)
    expect((error as UserError).message).toMatch(/targets\.aws\.region: "eu-west-9" is not an AWS region; did you mean "eu-west-1"\?/)
  })

  it('rejects replicas outside autoscale min..max before creating anything', async () => {
    await moto.reset()
    const manifest = manifestFor(moto.endpoint)
    const provider = providerFor(manifest, { DB_PASSWORD: 'x' })
    const error = await provider.apply([{ kind: 'create', target: 'aws', service: 'users', from: 0, to: 9, toVersion: 'v9', reasons: [] }], silentProgress).catch((e: unknown) => e)
    expect((error as UserError).exitCode).toBe(2)
    expect((error as UserError).message).toContain('9 replicas is outside autoscale min..max (2..4)')
    await nothingCreated()
  })

  it('refuses a secret with no value anywhere, naming the parameter and the variable', async () => {
    await moto.reset()
    const manifest = manifestFor(moto.endpoint)
    const provider = providerFor(manifest)
    const error = await provider.apply(await plan(provider, manifest), silentProgress).catch((e: unknown) => e)
    expect((error as UserError).exitCode).toBe(2)
    expect((error as UserError).message).toContain('/strato/shop/DB_PASSWORD')
    expect((error as UserError).fix).toContain('export DB_PASSWORD')
  })
})
