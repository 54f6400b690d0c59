import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { routeOrder, routeUrl, serviceRoute, type Route } from '../../src/lb/routes.js'
import { silentProgress } from '../../src/model.js'
import type { AwsInventory } from '../../providers/aws/inventory.js'
import { toResources } from '../../providers/aws/inventory.js'
import { frontDrift, serviceEndpoint } from '../../providers/aws/layout.js'
import { desiredRules, planRuleChanges, routeOfConditions, ruleConditions, sameConditions, type ExistingRule } from '../../providers/aws/listener-rules.js'
import { moveToSharedBalancer, needsMove, type MoveOps, type MoveState } from '../../providers/aws/migration.js'

describe('routes of services on a shared balancer', () => {
  it('defaults to the path /<service>, the shape the scaffold\'s nginx serves', () => {
    expect(serviceRoute('orders', undefined)).toEqual({ path: '/orders' })
    expect(serviceRoute('orders', { path: '/api/orders' })).toEqual({ path: '/api/orders' })
    expect(serviceRoute('orders', { host: 'orders.example.com' })).toEqual({ host: 'orders.example.com', path: '/' })
  })

  it('answers at the balancer address plus the path, or at the host', () => {
    expect(routeUrl('lb.example', { path: '/orders' })).toBe('http://lb.example/orders')
    expect(routeUrl('lb.example', { path: '/' })).toBe('http://lb.example')
    expect(routeUrl('lb.example', { host: 'orders.example.com', path: '/' })).toBe('http://orders.example.com')
    expect(routeUrl('lb.example', { host: 'api.example.com', path: '/orders' })).toBe('http://api.example.com/orders')
  })

  it('orders routes most specific first: exact hosts, wildcard hosts, deeper and longer paths, then names', () => {
    const routes: { name: string; route: Route }[] = [
      { name: 'web', route: { path: '/' } },
      { name: 'api', route: { path: '/api' } },
      { name: 'orders', route: { path: '/api/orders' } },
      { name: 'any', route: { host: '*.example.com', path: '/' } },
      { name: 'admin', route: { host: 'admin.example.com', path: '/' } },
      { name: 'users', route: { path: '/users' } },
      { name: 'pay', route: { path: '/pay' } },
    ]
    expect(routeOrder(routes).map((entry) => entry.name)).toEqual(['admin', 'any', 'orders', 'users', 'api', 'pay', 'web'])
  })
})

describe('listener rules', () => {
  it('match a path prefix and everything under it, a host, or both', () => {
    expect(ruleConditions({ path: '/orders' })).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/orders', '/orders/*'] } }])
    expect(ruleConditions({ path: '/' })).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }])
    expect(ruleConditions({ host: 'orders.example.com', path: '/' })).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: ['orders.example.com'] } }])
    expect(ruleConditions({ host: 'api.example.com', path: '/orders' })).toEqual([
      { Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/orders', '/orders/*'] } },
    ])
  })

  it('read back whichever way the API spells the values', () => {
    const answered = [{ Field: 'path-pattern', Values: ['/orders/*', '/orders'] }, { Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }]
    expect(sameConditions(answered, ruleConditions({ host: 'api.example.com', path: '/orders' }))).toBe(true)
    expect(sameConditions(answered, ruleConditions({ path: '/orders' }))).toBe(false)
    expect(sameConditions([...answered, { Field: 'http-request-method', Values: ['GET'] }], ruleConditions({ host: 'api.example.com', path: '/orders' }))).toBe(false)
    expect(routeOfConditions(answered)).toEqual({ host: 'api.example.com', path: '/orders' })
    expect(routeOfConditions([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }])).toEqual({ path: '/' })
  })

  const rule = (arn: string, priority: number, service: string | undefined, route: Route): ExistingRule => ({ arn, priority, service, conditions: ruleConditions(route) })
  const routed = (...names: string[]) => desiredRules(names.map((name) => ({ name, route: serviceRoute(name, undefined) })))

  it('creates a rule per new service at priorities in route order', () => {
    expect(planRuleChanges([], routed('users', 'orders', 'payments'))).toEqual({
      remove: [], modify: [], parked: [], moves: [],
      create: [
        { service: 'payments', priority: 1, conditions: ruleConditions({ path: '/payments' }) },
        { service: 'orders', priority: 2, conditions: ruleConditions({ path: '/orders' }) },
        { service: 'users', priority: 3, conditions: ruleConditions({ path: '/users' }) },
      ],
    })
  })

  it('changes nothing when the rules match', () => {
    const existing = [rule('r-p', 1, 'payments', { path: '/payments' }), rule('r-o', 2, 'orders', { path: '/orders' }), rule('r-u', 3, 'users', { path: '/users' })]
    expect(planRuleChanges(existing, routed('users', 'orders', 'payments'))).toEqual({ remove: [], modify: [], parked: [], moves: [], create: [] })
  })

  it('parks moved rules above all others before setting their places, so no two ever share a priority', () => {
    // a longer path joins: it goes first and the others move down one
    const existing = [rule('r-o', 1, 'orders', { path: '/orders' }), rule('r-u', 2, 'users', { path: '/users' })]
    const changes = planRuleChanges(existing, routed('users', 'orders', 'payments'))
    expect(changes.parked).toEqual([{ arn: 'r-o', priority: 5 }, { arn: 'r-u', priority: 6 }])
    expect(changes.moves).toEqual([{ arn: 'r-o', priority: 2 }, { arn: 'r-u', priority: 3 }])
    expect(changes.create.map((want) => [want.service, want.priority])).toEqual([['payments', 1]])
  })

  it('moves without parking when the new places are free', () => {
    const existing = [rule('r-o', 7, 'orders', { path: '/orders' })]
    const changes = planRuleChanges(existing, routed('orders'))
    expect(changes.parked).toEqual([])
    expect(changes.moves).toEqual([{ arn: 'r-o', priority: 1 }])
  })

  it('modifies a changed route in place, removes duplicates, and never touches rules strato did not make', () => {
    const existing = [
      rule('r-u', 1, 'users', { path: '/users' }), rule('r-u2', 4, 'users', { path: '/users' }),
      rule('r-hand', 9, undefined, { path: '/admin' }),
    ]
    const desired = desiredRules([{ name: 'users', route: { host: 'users.example.com', path: '/' } }])
    expect(planRuleChanges(existing, desired)).toEqual({
      remove: ['r-u2'], modify: [{ arn: 'r-u', service: 'users', conditions: ruleConditions({ host: 'users.example.com', path: '/' }) }], parked: [], moves: [], create: [],
    })
  })

  it('moves a rule of a service not routed here any more out of the way of a new one', () => {
    const existing = [rule('r-old', 1, 'legacy', { path: '/legacy' })]
    const changes = planRuleChanges(existing, routed('users'))
    expect(changes.parked).toEqual([{ arn: 'r-old', priority: 3 }])
    expect(changes.create.map((want) => [want.service, want.priority])).toEqual([['users', 1]])
  })
})

describe('what fronts a service, read from tags', () => {
  const tags = (service: string | undefined, role: string) => ({ 'strato.project': 'shop', ...(service ? { 'strato.service': service } : {}), 'strato.role': role })
  const group = (service: string, targetGroups: string[]) => ({
    AutoScalingGroupName: `strato-shop-${service}`, DesiredCapacity: 2, TargetGroupARNs: targetGroups, Instances: [],
    Tags: Object.entries(tags(service, 'group')).map(([Key, Value]) => ({ Key, Value })),
  })
  const shared = { item: { LoadBalancerArn: 'arn:lb/app/strato-shop/1', DNSName: 'strato-shop-1.elb.example' }, tags: tags(undefined, 'load-balancer') }
  const own = { item: { LoadBalancerArn: 'arn:lb/app/shop-users/2', DNSName: 'shop-users-2.elb.example' }, tags: tags('users', 'load-balancer') }
  const routeTg = { item: { TargetGroupArn: 'arn:tg/strato-shop-users' }, tags: tags('users', 'route-target-group') }
  const ownTg = { item: { TargetGroupArn: 'arn:tg/shop-users' }, tags: tags('users', 'target-group') }
  const usersRule = { RuleArn: 'arn:rule/1', Priority: '1', Actions: [{ Type: 'forward', TargetGroupArn: 'arn:tg/strato-shop-users' }], Conditions: ruleConditions({ path: '/users' }) }
  // recorded answers carry only the fields strato reads
  const inventory = (parts: Record<string, unknown>): AwsInventory => ({ groups: [], loadBalancers: [], targetGroups: [], securityGroups: [], launchTemplates: [], rules: [], ...parts }) as unknown as AwsInventory

  it('reports a service on its own balancer at that balancer, with the move as drift', () => {
    const before = inventory({ groups: [group('users', ['arn:tg/shop-users'])], loadBalancers: [own], targetGroups: [ownTg] })
    expect(serviceEndpoint(before, 'users')).toBe('http://shop-users-2.elb.example')
    expect(frontDrift(before, 'users', { path: '/users' })).toEqual(['moves from its own load balancer to the target\'s shared one (path /users)'])
    const resource = toResources(before, 'aws', 'eu-west-1', { users: { path: '/users' } }).find((r) => r.kind === 'group')!
    expect(resource.drift).toEqual(['moves from its own load balancer to the target\'s shared one (path /users)'])
  })

  it('reports a service behind the shared balancer at its route, without drift', () => {
    const after = inventory({ groups: [group('users', ['arn:tg/strato-shop-users'])], loadBalancers: [shared], targetGroups: [routeTg], rules: [usersRule] })
    expect(serviceEndpoint(after, 'users')).toBe('http://strato-shop-1.elb.example/users')
    expect(frontDrift(after, 'users', { path: '/users' })).toEqual([])
    expect(frontDrift(after, 'users', { host: 'users.example.com', path: '/' })).toEqual(['route path /users -> host users.example.com'])
    const resources = toResources(after, 'aws', 'eu-west-1', { users: { path: '/users' } })
    expect(resources.find((r) => r.kind === 'group')!.drift).toBeUndefined()
    expect(resources.find((r) => r.kind === 'balancer')).toMatchObject({ service: undefined, endpoint: 'http://strato-shop-1.elb.example', details: { shared: true } })
  })

  it('reports a group not yet registered with its target group as drift', () => {
    const half = inventory({ groups: [group('users', [])], loadBalancers: [shared], targetGroups: [routeTg], rules: [usersRule] })
    expect(frontDrift(half, 'users', { path: '/users' })).toEqual(['joins the target\'s shared load balancer (path /users)'])
  })
})

describe('moving a service to the shared balancer', () => {
  /** Records each call, and whether a healthy balancer fronts the service at that moment. */
  function fake(options: { healthy: boolean; attached?: boolean }) {
    const log: string[] = []
    const front = { shared: options.attached === true, own: true }
    const ops: MoveOps = {
      attach: async () => { log.push('attach'); front.shared = options.healthy },
      detach: async () => { log.push('detach'); front.shared = false },
      waitHealthy: async () => {
        log.push('wait')
        if (!options.healthy) throw new UserError('strato-shop-users has 0 of 2 instance(s) healthy after 5s.', { code: 'failure' })
      },
      relabelScaling: async () => { log.push('relabel'); return ['strato-target-requests'] },
      deleteOwnBalancer: async () => {
        log.push(`delete own balancer (shared serving: ${front.shared})`)
        front.own = false
      },
      detachOwnTargetGroup: async () => { log.push('detach own target group') },
      deleteOwnTargetGroup: async () => { log.push('delete own target group') },
      deleteOwnSecurityGroup: async () => { log.push('delete own security group') },
    }
    return { ops, log, front }
  }
  const legacy: MoveState = { service: 'users', attach: true, own: { balancer: true, targetGroup: true, targetGroupAttached: true, securityGroup: true } }

  it('removes the old balancer only after the instances are healthy behind the shared one', async () => {
    const { ops, log, front } = fake({ healthy: true })
    await moveToSharedBalancer(ops, legacy, silentProgress)
    expect(log).toEqual(['attach', 'wait', 'relabel', 'delete own balancer (shared serving: true)', 'detach own target group', 'delete own target group', 'delete own security group'])
    expect(front).toEqual({ shared: true, own: false })
  })

  it('leaves the old balancer serving and detaches again when the instances never turn healthy', async () => {
    const { ops, log, front } = fake({ healthy: false })
    const error = await moveToSharedBalancer(ops, legacy, silentProgress).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(1)
    expect((error as UserError).message).toBe('users did not turn healthy behind the shared load balancer, so it stays where it was, on its own load balancer.')
    expect((error as UserError).options.details).toEqual(['strato-shop-users has 0 of 2 instance(s) healthy after 5s.'])
    expect(log).toEqual(['attach', 'wait', 'detach'])
    expect(front).toEqual({ shared: false, own: true })
  })

  it('finishes a move an earlier run left half done, checking health again before the old balancer goes', async () => {
    const { ops, log } = fake({ healthy: true, attached: true })
    const halfDone: MoveState = { service: 'users', attach: false, own: { balancer: true, targetGroup: true, targetGroupAttached: false, securityGroup: false } }
    await moveToSharedBalancer(ops, halfDone, silentProgress)
    expect(log).toEqual(['wait', 'relabel', 'delete own balancer (shared serving: true)', 'delete own target group'])
    expect(needsMove({ service: 'users', attach: false, own: { balancer: false, targetGroup: false, targetGroupAttached: false, securityGroup: false } })).toBe(false)
  })
})
