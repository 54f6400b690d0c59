/**
 * Moving a project deployed with a balancer per service (as strato deployed
 * aws targets before) to one shared balancer, against moto: the plan says
 * so, deploy moves every service without replacing an instance, and before
 * every call that removes or reroutes something, each service still has a
 * healthy balancer in front of it (checked from outside, as a client would
 * see it). Then routes change in place, a service goes and the balancer
 * stays, and destroy takes the balancer with the last service.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand } from '@aws-sdk/client-auto-scaling'
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch'
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2'
import {
  DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { UserError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress, type Action } from '../../src/model.js'
import { desiredState } from '../../src/planning/desired.js'
import { planTarget } from '../../src/planning/plan.js'
import { serviceVersion } from '../../src/planning/version.js'
import { AwsProvider } from '../../providers/aws/index.js'
import { startFaultProxy } from '../contract/fault-proxy.js'
import { deployPerServiceLayout, type PerServiceLayout } from '../helpers/aws-per-service-layout.js'
import { reportUnhealthy, useMoto, type Moto } from '../helpers/moto.js'

const REGION = 'eu-west-1'
const SERVICES = ['users', 'orders', 'payments']
let moto: Moto

function manifestFor(endpoint: string, routes: Partial<Record<string, Manifest['services'][string]['route']>> = {}): Manifest {
  const service = (name: string, extra: Partial<Manifest['services'][string]> = {}) => ({
    image: `registry.example/${name}:1.0.0`, port: 8080, health: '/healthz', route: routes[name], ...extra,
  })
  return {
    name: 'shop',
    services: {
      users: service('users', { autoscale: { min: 2, max: 4, target: { requests: 100 }, steps: [{ metric: 'requests', above: 150, change: 1 }] } }),
      orders: service('orders', { replicas: 2 }),
      payments: service('payments', { replicas: 1 }),
    },
    targets: { aws: { provider: 'aws', region: REGION, instanceType: 't3.small', endpoint } },
  }
}

function providerFor(manifest: Manifest, healthTimeoutMs = 5000) {
  return new AwsProvider({
    manifest, targetName: 'aws', target: manifest.targets!.aws, projectDir: process.cwd(), env: {}, progress: silentProgress, settings: { maxAttempts: 2 },
  }, { healthTimeoutMs, pollMs: 50, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))), now: () => Date.now() })
}

async function plan(provider: AwsProvider, manifest: Manifest): Promise<Action[]> {
  const versions = Object.fromEntries(Object.entries(manifest.services).map(([name, spec]) => [name, serviceVersion(process.cwd(), name, spec)]))
  return planTarget('aws', desiredState(manifest, manifest.targets!, versions), await provider.inventory(manifest.name))
}

function clients() {
  const config = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }
  return { asg: new AutoScalingClient(config), ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config), cw: new CloudWatchClient(config) }
}

const pathValues = (rule: Rule) => rule.Conditions?.find((c) => c.Field === 'path-pattern')?.PathPatternConfig?.Values ?? rule.Conditions?.find((c) => c.Field === 'path-pattern')?.Values ?? []
const hostValues = (rule: Rule) => rule.Conditions?.find((c) => c.Field === 'host-header')?.HostHeaderConfig?.Values ?? rule.Conditions?.find((c) => c.Field === 'host-header')?.Values ?? []

/**
 * The balancers that would serve a request for the service right now: a listener on port 80 whose
 * default action or rule for the service's path forwards to a target group with a healthy, in-service
 * instance of the service, behind a security group the instances admit.
 */
async function healthyFronts(service: string): Promise<string[]> {
  const c = clients()
  const group = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [`strato-shop-${service}`] }))).AutoScalingGroups?.[0]
  const inService = new Set((group?.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId))
  const app = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.service', Values: [service] }, { Name: 'tag:strato.role', Values: ['app-security-group'] }] }))).SecurityGroups![0]
  const admitted = new Set((app.IpPermissions ?? []).flatMap((rule) => (rule.UserIdGroupPairs ?? []).map((pair) => pair.GroupId)))
  const fronts: string[] = []
  for (const lb of (await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []) {
    if (!lb.SecurityGroups?.some((id) => admitted.has(id))) continue
    for (const listener of (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? []) {
      if (listener.Port !== 80) continue
      const rules = (await c.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? []
      const serving = rules.filter((rule) => rule.IsDefault || pathValues(rule).includes(`/${service}`))
        .sort((a, b) => (a.IsDefault ? 1 : 0) - (b.IsDefault ? 1 : 0))[0]
      const targetGroup = serving?.Actions?.find((action) => action.Type === 'forward')?.TargetGroupArn
      if (!targetGroup) continue
      const health = (await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroup }))).TargetHealthDescriptions ?? []
      if (health.some((target) => target.TargetHealth?.State === 'healthy' && inService.has(target.Target?.Id))) fronts.push(lb.LoadBalancerName!)
    }
  }
  return fronts
}

const REROUTING = new Set([
  'DeleteLoadBalancerCommand', 'DeleteListenerCommand', 'DetachLoadBalancerTargetGroupsCommand', 'DeleteTargetGroupCommand',
  'RevokeSecurityGroupIngressCommand', 'DeleteSecurityGroupCommand', 'DeleteRuleCommand', 'ModifyRuleCommand', 'SetRulePrioritiesCommand',
  'TerminateInstanceInAutoScalingGroupCommand',
])

type Client = { middlewareStack: { add: (middleware: unknown, options: { step: 'initialize'; name: string }) => void } }

/** Records every call the provider makes; before each that removes or reroutes, checks every service is still served. */
function watch(provider: AwsProvider, services: string[]) {
  const calls: { command: string; input: Record<string, unknown> }[] = []
  const gaps: string[] = []
  let checks = 0
  for (const client of [provider.clients.elb, provider.clients.autoScaling, provider.clients.ec2] as unknown as Client[]) {
    client.middlewareStack.add((next: (args: unknown) => Promise<unknown>, context: { commandName: string }) => async (args: { input: Record<string, unknown> }) => {
      calls.push({ command: context.commandName.replace(/Command$/, ''), input: args.input })
      if (REROUTING.has(context.commandName)) {
        for (const service of services) {
          checks++
          if ((await healthyFronts(service)).length === 0) gaps.push(`${service} before ${context.commandName} ${JSON.stringify(args.input)}`)
        }
      }
      return next(args)
    }, { step: 'initialize', name: 'watchFronts' })
  }
  return { calls, gaps, checks: () => checks }
}

const running = useMoto()
beforeAll(() => { moto = running() })

describe('aws: from a balancer per service to one per target', () => {
  it('moves a deployed project without a moment in which a service has no healthy balancer, then keeps the balancer until the last service goes', async () => {
    const manifest = manifestFor(moto.endpoint)
    const layout: PerServiceLayout = await deployPerServiceLayout(manifest, 'aws', process.cwd())
    const c = clients()
    const instancesBefore = Object.fromEntries(((await c.asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [])
      .map((g) => [g.AutoScalingGroupName, (g.Instances ?? []).map((i) => i.InstanceId).sort()]))
    for (const service of SERVICES) expect(await healthyFronts(service)).toEqual([`shop-${service}`])

    const provider = providerFor(manifest)
    // status still finds each service at its own balancer, and plan says what deploy will move
    const before = await provider.inventory('shop')
    expect(before.find((r) => r.kind === 'group' && r.service === 'users')?.endpoint).toBe(`http://${layout.services.users.dnsName}`)
    const actions = await plan(provider, manifest)
    expect(actions.map((a) => [a.service, a.kind, a.fromVersion === a.toVersion, a.reasons])).toEqual(SERVICES.map((service) =>
      [service, 'update', true, [`moves from its own load balancer to the target's shared one (path /${service})`]]))

    const watched = watch(provider, SERVICES)
    const result = await provider.apply(actions, silentProgress)
    expect(watched.gaps).toEqual([])
    expect(watched.checks()).toBeGreaterThanOrEqual(SERVICES.length * 3)

    // the end state: one balancer, a target group and a path rule per service, nothing left of the old layout
    const balancers = (await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!
    expect(balancers.map((b) => b.LoadBalancerName)).toEqual(['strato-shop'])
    const shared = balancers[0]
    expect(result.endpoints).toEqual(Object.fromEntries(SERVICES.map((service) => [service, `http://${shared.DNSName}/${service}`])))
    const targetGroups = (await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!
    expect(targetGroups.map((g) => g.TargetGroupName).sort()).toEqual(['strato-shop-orders', 'strato-shop-payments', 'strato-shop-users'])
    const listener = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: shared.LoadBalancerArn }))).Listeners![0]
    const rules = (await c.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((r) => !r.IsDefault)
    const tgName = (rule: Rule) => targetGroups.find((g) => g.TargetGroupArn === rule.Actions?.[0].TargetGroupArn)?.TargetGroupName
    expect(rules.map((r) => [r.Priority, pathValues(r), tgName(r)])).toEqual([
      ['1', ['/payments', '/payments/*'], 'strato-shop-payments'],
      ['2', ['/orders', '/orders/*'], 'strato-shop-orders'],
      ['3', ['/users', '/users/*'], 'strato-shop-users'],
    ])
    const groups = (await c.asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!
    for (const group of groups) {
      const service = group.AutoScalingGroupName!.replace('strato-shop-', '')
      expect(group.TargetGroupARNs, service).toEqual([targetGroups.find((g) => g.TargetGroupName === `strato-shop-${service}`)!.TargetGroupArn])
      // no instance was replaced: the same ones serve, now behind the shared balancer
      expect((group.Instances ?? []).map((i) => i.InstanceId).sort(), service).toEqual(instancesBefore[group.AutoScalingGroupName!])
      expect(await healthyFronts(service)).toEqual(['strato-shop'])
    }
    const securityGroups = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.project', Values: ['shop'] }] }))).SecurityGroups!
    const role = (g: { Tags?: { Key?: string; Value?: string }[] }) => g.Tags?.find((t) => t.Key === 'strato.role')?.Value
    const lbGroups = securityGroups.filter((g) => role(g) === 'lb-security-group')
    expect(lbGroups.map((g) => g.GroupName)).toEqual(['strato-shop-lb'])
    for (const app of securityGroups.filter((g) => role(g) === 'app-security-group')) {
      expect(app.IpPermissions?.flatMap((p) => (p.UserIdGroupPairs ?? []).map((pair) => pair.GroupId)), app.GroupName).toEqual([lbGroups[0].GroupId])
    }

    // request-count scaling reads the shared balancer and the service's new target group
    const usersGroup = targetGroups.find((g) => g.TargetGroupName === 'strato-shop-users')!
    const label = `${shared.LoadBalancerArn!.split('loadbalancer/')[1]}/${usersGroup.TargetGroupArn!.slice(usersGroup.TargetGroupArn!.indexOf('targetgroup/'))}`
    const policies = (await c.asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'strato-shop-users' }))).ScalingPolicies!
    expect(policies.find((p) => p.PolicyName === 'strato-target-requests')?.TargetTrackingConfiguration?.PredefinedMetricSpecification?.ResourceLabel).toBe(label)
    const alarm = (await c.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'strato-shop-users-step-' }))).MetricAlarms![0]
    expect(alarm.Dimensions).toEqual([{ Name: 'TargetGroup', Value: label.split('/').slice(3).join('/') }])
    expect(alarm.AlarmActions).toEqual([policies.find((p) => p.PolicyName === 'strato-step-1')!.PolicyARN])

    // the order, per service: rule, register, healthy there, and only then the old balancer goes
    const at = (command: string, match: (input: Record<string, unknown>) => boolean) => watched.calls.findIndex((call) => call.command === command && match(call.input))
    for (const service of SERVICES) {
      const tg = targetGroups.find((g) => g.TargetGroupName === `strato-shop-${service}`)!.TargetGroupArn
      const rule = at('CreateRule', (input) => JSON.stringify(input.Actions).includes(tg!))
      const attach = at('AttachLoadBalancerTargetGroups', (input) => input.AutoScalingGroupName === `strato-shop-${service}`)
      const healthy = watched.calls.findLastIndex((call, index) => index > attach && call.command === 'DescribeTargetHealth' && call.input.TargetGroupArn === tg)
      const removed = at('DeleteLoadBalancer', (input) => input.LoadBalancerArn === layout.services[service].balancerArn)
      const detached = at('DetachLoadBalancerTargetGroups', (input) => JSON.stringify(input.TargetGroupARNs) === JSON.stringify([layout.services[service].targetGroupArn]))
      expect([rule, attach, healthy, removed, detached].every((index) => index >= 0), service).toBe(true)
      expect(rule < attach && attach < healthy && healthy < removed && removed < detached, `${service}: ${[rule, attach, healthy, removed, detached]}`).toBe(true)
    }

    // nothing left to move: plan is a no-op, and status reports each service on its route
    expect((await plan(provider, manifest)).map((a) => a.kind)).toEqual(['noop', 'noop', 'noop'])
    const after = await provider.inventory('shop')
    expect(after.find((r) => r.kind === 'group' && r.service === 'orders')?.endpoint).toBe(`http://${shared.DNSName}/orders`)

    // a route that changes is rewritten in place, and the balancer orders the rules again
    const rerouted = manifestFor(moto.endpoint, { orders: { host: 'orders.example.com' }, payments: { path: '/api/payments' } })
    const router = providerFor(rerouted)
    const routing = await plan(router, rerouted)
    expect(routing.map((a) => [a.service, a.kind, a.reasons])).toEqual([
      ['users', 'noop', ['up to date']],
      ['orders', 'update', ['route path /orders -> host orders.example.com']],
      ['payments', 'update', ['route path /payments -> path /api/payments']],
    ])
    const watchedRoutes = watch(router, SERVICES.filter((s) => s === 'users'))
    const routed = await router.apply(routing, silentProgress)
    expect(watchedRoutes.gaps).toEqual([])
    expect(routed.endpoints).toEqual({ users: `http://${shared.DNSName}/users`, orders: 'http://orders.example.com', payments: `http://${shared.DNSName}/api/payments` })
    expect(routed.warnings).toContain(`orders answers on http://orders.example.com once DNS sends orders.example.com to ${shared.DNSName} (a CNAME or alias record).`)
    const newRules = (await c.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((r) => !r.IsDefault)
    expect(newRules.map((r) => [r.Priority, hostValues(r), pathValues(r), tgName(r)]).sort()).toEqual([
      ['1', ['orders.example.com'], [], 'strato-shop-orders'],
      ['2', [], ['/api/payments', '/api/payments/*'], 'strato-shop-payments'],
      ['3', [], ['/users', '/users/*'], 'strato-shop-users'],
    ])
    expect(newRules.map((r) => r.RuleArn).sort()).toEqual(rules.map((r) => r.RuleArn).sort())
    expect((await plan(router, rerouted)).map((a) => a.kind)).toEqual(['noop', 'noop', 'noop'])

    // a service dropped from strato.yaml goes with its rule and target group; the balancer stays for the others
    const fewer: Manifest = { ...rerouted, services: { users: rerouted.services.users, orders: rerouted.services.orders } }
    const pruner = providerFor(fewer)
    await pruner.apply(await plan(pruner, fewer), silentProgress)
    expect((await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.map((b) => b.LoadBalancerName)).toEqual(['strato-shop'])
    expect((await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!.map((g) => g.TargetGroupName).sort()).toEqual(['strato-shop-orders', 'strato-shop-users'])
    expect((await c.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.filter((r) => !r.IsDefault)).toHaveLength(2)

    // the last services go: so does the balancer, its listener and its security group
    const none: Manifest = { ...fewer, services: {} }
    const last = providerFor(none)
    await last.apply(await plan(last, none), silentProgress)
    expect((await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([])
    expect((await c.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([])
    expect((await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:strato.project', Values: ['shop'] }] }))).SecurityGroups).toEqual([])
    for (const each of [provider, router, pruner, last]) await each.close()
  })

  it('leaves a service on its own balancer when its instances never turn healthy behind the shared one', async () => {
    await moto.reset()
    const manifest: Manifest = { ...manifestFor(moto.endpoint), services: { orders: manifestFor(moto.endpoint).services.orders } }
    const layout = await deployPerServiceLayout(manifest, 'aws', process.cwd())
    // the new target group reports the instances unhealthy, as AWS would if the shared balancer could not reach them
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: moto.port })
    proxy.rewrite(reportUnhealthy((_id, request) => request.includes('targetgroup/strato-shop-orders/')))
    const provider = providerFor({ ...manifest, targets: { aws: { ...manifest.targets!.aws, endpoint: proxy.address } as never } }, 500)
    const error = await provider.apply(await plan(provider, manifest), silentProgress).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(1)
    expect((error as UserError).message).toBe('orders did not turn healthy behind the shared load balancer, so it stays where it was, on its own load balancer.')

    const c = clients()
    const group = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['strato-shop-orders'] }))).AutoScalingGroups![0]
    expect(group.TargetGroupARNs).toEqual([layout.services.orders.targetGroupArn])
    expect(await healthyFronts('orders')).toEqual(['shop-orders'])
    await provider.close()
    await proxy.close()

    // once the instances answer there, the next deploy finishes the move
    const retry = providerFor(manifest)
    const actions = await plan(retry, manifest)
    expect(actions.map((a) => [a.kind, a.reasons])).toEqual([['update', ['moves from its own load balancer to the target\'s shared one (path /orders)']]])
    await retry.apply(actions, silentProgress)
    expect(await healthyFronts('orders')).toEqual(['strato-shop'])
    const destroyed = await retry.destroy()
    expect(destroyed.remaining.filter((r) => r.state !== 'stopped')).toEqual([])
    expect((await c.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([])
    await retry.close()
  })
})
