/**
 * Private services on an aws target, against moto: the shop's database and
 * cache are never on the internet-facing balancer; they sit behind the
 * project's internal Network Load Balancer, their instances admit their port
 * from the VPC only, every container reaches them by name through
 * `--add-host`, a redeploy changes nothing, and destroy leaves nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling'
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling'
import {
  DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2'
import {
  DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { UserError } from '../../src/errors.js'
import type { Manifest, Service } from '../../src/manifest/schema.js'
import { silentProgress, type Action } from '../../src/model.js'
import { desiredState } from '../../src/planning/desired.js'
import { planTarget } from '../../src/planning/plan.js'
import { serviceVersion } from '../../src/planning/version.js'
import { AwsProvider } from '../../providers/aws/index.js'
import { internalAddress } from '../../providers/aws/internal-balancer.js'
import { useMoto, type Moto } from '../helpers/moto.js'

const REGION = 'eu-west-1'
let moto: Moto

const users: Service = { image: 'registry.example/users:1.4.2', port: 8080, health: '/healthz', env: { DATABASE_URL: 'postgres://app@db:5432/shop' }, replicas: 1, dependsOn: ['db'] }
const db: Service = { image: 'postgres:16', port: 5432, replicas: 1 }
const cache: Service = { image: 'redis:7', port: 6379, replicas: 1 }
const mailer: Service = { image: 'registry.example/mailer:1.0.0', command: ['node', 'worker.js'], replicas: 1 }

function manifestFor(endpoint: string, services: Record<string, Service>): Manifest {
  return { name: 'shop', services, targets: { aws: { provider: 'aws', region: REGION, instanceType: 't3.small', endpoint } } }
}

function providerFor(manifest: Manifest) {
  return new AwsProvider({
    manifest, targetName: 'aws', target: manifest.targets!.aws, projectDir: process.cwd(), env: {}, progress: silentProgress, settings: { maxAttempts: 2 },
  }, { healthTimeoutMs: 5000, pollMs: 50, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))), now: () => Date.now() })
}

async function plan(provider: AwsProvider, manifest: Manifest): Promise<Action[]> {
  const versions = Object.fromEntries(Object.entries(manifest.services).map(([name, spec]) => [name, serviceVersion(process.cwd(), name, spec)]))
  return planTarget('aws', desiredState(manifest, manifest.targets!, versions), await provider.inventory(manifest.name))
}

const clients = () => {
  const config = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }
  return { ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config), asg: new AutoScalingClient(config) }
}

async function userData(service: string): Promise<string> {
  const c = clients()
  const templates = await c.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:strato.service', Values: [service] }] }))
  expect(templates.LaunchTemplates).toHaveLength(1)
  const version = await c.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templates.LaunchTemplates![0].LaunchTemplateId, Versions: ['$Latest'] }))
  return Buffer.from(version.LaunchTemplateVersions![0].LaunchTemplateData!.UserData!, 'base64').toString()
}

async function balancers() {
  const c = clients()
  const all = (await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []
  return { internal: all.filter((lb) => lb.Scheme === 'internal'), public: all.filter((lb) => lb.Scheme === 'internet-facing') }
}

const running = useMoto()
beforeAll(() => { moto = running() })

describe('aws provider against moto: private services', () => {
  it('puts the database and cache behind an internal balancer only, reachable by name, and destroys it all', async () => {
    const manifest = manifestFor(moto.endpoint, { users, db, cache, mailer })
    const provider = providerFor(manifest)
    const c = clients()

    // plan says what it creates; deploy starts the private services before the others
    const first = await plan(provider, manifest)
    expect(first.map((a) => [a.service, a.kind])).toEqual([['users', 'create'], ['db', 'create'], ['cache', 'create'], ['mailer', 'create']])
    const result = await provider.apply(first, silentProgress)
    expect(result.applied.map((a) => a.service)).toEqual(['db', 'cache', 'users', 'mailer'])

    // the address: strato's choice in the first of the target's subnets
    const groupsNow = (await c.asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? []
    const subnetIds = groupsNow.find((g) => g.AutoScalingGroupName === 'strato-shop-db')!.VPCZoneIdentifier!.split(',').sort()
    const subnets = (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))).Subnets!
    const address = internalAddress('shop', subnets.find((s) => s.SubnetId === subnetIds[0])!.CidrBlock!)
    expect(result.endpoints.db).toBe(`${address}:5432 (private)`)
    expect(result.endpoints.cache).toBe(`${address}:6379 (private)`)
    expect(result.endpoints.users).toMatch(/^http:\/\/.*\/users$/)
    expect(result.endpoints.mailer).toBeUndefined()

    // the public balancer has a rule for users only; nothing forwards to the database or the cache
    const lbs = await balancers()
    expect(lbs.public).toHaveLength(1)
    expect(lbs.internal).toHaveLength(1)
    expect(lbs.internal[0].Type).toBe('network')
    const targetGroups = (await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!
    const tgOf = (arn: string | undefined) => targetGroups.find((tg) => tg.TargetGroupArn === arn)
    const publicListeners = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbs.public[0].LoadBalancerArn }))).Listeners!
    expect(publicListeners.map((l) => l.Port)).toEqual([80])
    const rules = (await c.elb.send(new DescribeRulesCommand({ ListenerArn: publicListeners[0].ListenerArn }))).Rules!.filter((r) => !r.IsDefault)
    expect(rules.map((r) => tgOf(r.Actions![0].TargetGroupArn)?.Port)).toEqual([8080])

    // the internal balancer: a TCP listener per private service port, TCP health checks on the port
    const internalListeners = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbs.internal[0].LoadBalancerArn }))).Listeners!
    expect(internalListeners.map((l) => [l.Protocol, l.Port, tgOf(l.DefaultActions![0].TargetGroupArn)?.Port]).sort()).toEqual([['TCP', 5432, 5432], ['TCP', 6379, 6379]])
    const dbGroup = tgOf(internalListeners.find((l) => l.Port === 5432)!.DefaultActions![0].TargetGroupArn)!
    expect([dbGroup.Protocol, dbGroup.HealthCheckProtocol]).toEqual(['TCP', 'TCP'])
    const lbTags = (await c.elb.send(new DescribeTagsCommand({ ResourceArns: [lbs.internal[0].LoadBalancerArn!] }))).TagDescriptions![0].Tags!
    expect(lbTags).toContainEqual({ Key: 'strato.address', Value: address })
    expect(groupsNow.find((g) => g.AutoScalingGroupName === 'strato-shop-db')!.TargetGroupARNs).toEqual([dbGroup.TargetGroupArn])
    const mailerGroup = groupsNow.find((g) => g.AutoScalingGroupName === 'strato-shop-mailer')!
    expect([mailerGroup.TargetGroupARNs ?? [], mailerGroup.HealthCheckType]).toEqual([[], 'EC2'])

    // firewalls: the database's port from the VPC's range only, never from anywhere; the worker admits nothing
    const vpc = (await c.ec2.send(new DescribeVpcsCommand({ VpcIds: [subnets[0].VpcId!] }))).Vpcs![0]
    const sgs = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.project', Values: ['shop'] }] }))).SecurityGroups!
    const sgOf = (service: string) => sgs.find((g) => g.Tags?.some((t) => t.Key === 'strato.service' && t.Value === service))!
    expect(sgOf('db').IpPermissions!.map((p) => [p.FromPort, p.ToPort, p.IpRanges!.map((r) => r.CidrIp), p.UserIdGroupPairs ?? []])).toEqual([[5432, 5432, [vpc.CidrBlock], []]])
    expect(sgOf('cache').IpPermissions!.flatMap((p) => p.IpRanges!.map((r) => r.CidrIp))).toEqual([vpc.CidrBlock])
    expect(sgOf('mailer').IpPermissions).toEqual([])
    expect(sgs.flatMap((g) => g.Tags?.some((t) => t.Key === 'strato.service') ? g.IpPermissions! : []).flatMap((p) => p.IpRanges ?? []).map((r) => r.CidrIp)).not.toContain('0.0.0.0/0')

    // every container reaches the private services by name
    expect(await userData('users')).toContain(`--add-host cache:${address} --add-host db:${address}`)
    expect(await userData('mailer')).toContain(`--add-host cache:${address} --add-host db:${address}`)
    expect(await userData('db')).toContain(`--add-host cache:${address} `)
    expect(await userData('db')).not.toContain('--add-host db:')

    // status: the private services' endpoints are the internal address and port
    const status = await provider.inventory('shop')
    const endpointOf = (service: string) => status.find((r) => r.kind === 'group' && r.service === service)?.endpoint
    expect(endpointOf('db')).toBe(`${address}:5432 (private)`)
    expect(endpointOf('mailer')).toBeUndefined()
    expect(status.find((r) => r.kind === 'balancer' && r.details?.scheme === 'internal')?.endpoint).toBe(address)

    // redeploying changes nothing
    const second = await plan(provider, manifest)
    expect(second.filter((a) => a.kind !== 'noop')).toEqual([])
    await provider.apply(second, silentProgress)
    expect((await balancers()).internal.map((lb) => lb.LoadBalancerArn)).toEqual(lbs.internal.map((lb) => lb.LoadBalancerArn))
    expect((await plan(provider, manifest)).filter((a) => a.kind !== 'noop')).toEqual([])

    // dropping the cache removes its listener and target group (the balancer stays for the database),
    // and the other services' containers get new templates without the cache's name
    const withoutCache = manifestFor(moto.endpoint, { users, db, mailer })
    const pruner = providerFor(withoutCache)
    const third = await plan(pruner, withoutCache)
    expect(third.filter((a) => a.kind !== 'noop').map((a) => [a.service, a.kind, a.reasons])).toEqual([
      ['users', 'update', ['containers reach db by name (--add-host)']],
      ['db', 'update', ['no private services to reach by name any more']],
      ['mailer', 'update', ['containers reach db by name (--add-host)']],
      ['cache', 'delete', expect.any(Array)],
    ])
    await pruner.apply(third, silentProgress)
    const after = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbs.internal[0].LoadBalancerArn }))).Listeners!
    expect(after.map((l) => l.Port)).toEqual([5432])
    expect(await userData('users')).toContain(`--add-host db:${address} `)
    expect(await userData('users')).not.toContain('cache')
    expect(await userData('db')).not.toContain('--add-host')
    expect((await plan(pruner, withoutCache)).filter((a) => a.kind !== 'noop')).toEqual([])

    // destroy: everything goes, the internal balancer too, and the tags prove it
    const destroyed = await pruner.destroy()
    expect(destroyed.remaining).toEqual([])
    expect(destroyed.removed).toMatchObject({ balancer: 2, 'target-group': 2, group: 3 })
    expect(await balancers()).toEqual({ internal: [], public: [] })
    expect((await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([])
  })

  it('moves a database deployed on the public balancer behind the internal one, and points the other services at it', async () => {
    // as deployed before private services existed: the database had a rule on the internet-facing balancer
    const before = manifestFor(moto.endpoint, { users, db: { ...db, expose: 'public', health: '/' } })
    const old = providerFor(before)
    await old.apply(await plan(old, before), silentProgress)
    const c = clients()
    const publicLb = (await balancers()).public[0]
    const listener = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: publicLb.LoadBalancerArn }))).Listeners![0]
    expect((await c.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((r) => !r.IsDefault)).toHaveLength(2)

    const now = manifestFor(moto.endpoint, { users, db })
    const provider = providerFor(now)
    const moving = await plan(provider, now)
    expect(moving.find((a) => a.service === 'users')).toMatchObject({ kind: 'update', reasons: ['containers reach db by name (--add-host)'] })
    expect(moving.find((a) => a.service === 'db')?.kind).toBe('update')
    await provider.apply(moving, silentProgress)

    // one rule left on the public balancer (users), the database's HTTP target group gone, its port from the VPC only
    const rules = (await c.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((r) => !r.IsDefault)
    expect(rules).toHaveLength(1)
    const targetGroups = (await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!
    expect(targetGroups.map((tg) => [tg.Protocol, tg.Port]).sort()).toEqual([['HTTP', 8080], ['TCP', 5432]])
    const sgs = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['db'] }] }))).SecurityGroups!
    expect(sgs).toHaveLength(1)
    expect(sgs[0].IpPermissions!.flatMap((p) => p.UserIdGroupPairs ?? [])).toEqual([])
    expect(sgs[0].IpPermissions!.flatMap((p) => p.IpRanges ?? []).map((r) => r.CidrIp)).toHaveLength(1)
    const dbGroup = ((await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['strato-shop-db'] }))).AutoScalingGroups ?? [])[0]
    expect(dbGroup.TargetGroupARNs).toEqual([targetGroups.find((tg) => tg.Protocol === 'TCP')!.TargetGroupArn])
    const address = (await c.elb.send(new DescribeTagsCommand({ ResourceArns: [(await balancers()).internal[0].LoadBalancerArn!] }))).TagDescriptions![0].Tags!
      .find((t) => t.Key === 'strato.address')!.Value!
    expect(await userData('users')).toContain(`--add-host db:${address} `)
    expect((await plan(provider, now)).filter((a) => a.kind !== 'noop')).toEqual([])

    const destroyed = await provider.destroy()
    expect(destroyed.remaining).toEqual([])
    expect(await balancers()).toEqual({ internal: [], public: [] })
  })

  it('refuses two private services on one port before creating anything (exit 7)', async () => {
    const manifest = manifestFor(moto.endpoint, { users, db, 'db-replica': { ...db, env: { PRIMARY_HOST: 'db' } } })
    const provider = providerFor(manifest)
    const refused = await provider.apply(await plan(provider, manifest), silentProgress).then(() => undefined, (error: unknown) => error)
    expect(refused).toBeInstanceOf(UserError)
    expect((refused as UserError).exitCode).toBe(7)
    expect((refused as UserError).message).toBe('Private services db and db-replica both on port 5432 of one aws target (the internal load balancer has one listener per port) is not supported yet.')
    expect(await provider.inventory('shop')).toEqual([])
  })

  it('moves a private service that turns public behind the shared balancer, then removes the internal one', async () => {
    const before = manifestFor(moto.endpoint, { users, db })
    const old = providerFor(before)
    await old.apply(await plan(old, before), silentProgress)
    const c = clients()
    const internal = (await balancers()).internal
    expect(internal).toHaveLength(1)

    const now = manifestFor(moto.endpoint, { users, db: { ...db, expose: 'public', health: '/' } })
    const provider = providerFor(now)
    const turning = await plan(provider, now)
    expect(turning.filter((a) => a.kind !== 'noop').map((a) => [a.service, a.kind])).toEqual([['users', 'update'], ['db', 'update']])
    expect(turning.find((a) => a.service === 'users')?.reasons).toEqual(['no private services to reach by name any more'])
    expect(turning.find((a) => a.service === 'db')?.reasons).toEqual(expect.arrayContaining(['joins the target\'s shared load balancer (path /db)', 'public: leaves the internal load balancer']))
    await provider.apply(turning, silentProgress)

    // db answers on its route of the shared balancer; the internal balancer, its listener and the TCP target group are gone
    expect((await balancers()).internal).toEqual([])
    const targetGroups = (await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!
    expect(targetGroups.map((tg) => [tg.Protocol, tg.Port]).sort()).toEqual([['HTTP', 5432], ['HTTP', 8080]])
    const sg = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.service', Values: ['db'] }] }))).SecurityGroups![0]
    expect(sg.IpPermissions!.flatMap((p) => p.IpRanges ?? [])).toEqual([])
    expect(sg.IpPermissions!.flatMap((p) => p.UserIdGroupPairs ?? []).map((pair) => pair.GroupId)).toHaveLength(1)
    expect(await userData('users')).not.toContain('--add-host')
    expect((await plan(provider, now)).filter((a) => a.kind !== 'noop')).toEqual([])

    const destroyed = await provider.destroy()
    expect(destroyed.remaining).toEqual([])
  })
})
