/**
 * The conformance suite on the aws provider, against moto. A version that
 * never turns healthy is one whose new instances never join the target group
 * (the group's target groups are detached); transient errors and refused
 * credentials come from a proxy in front of moto answering as AWS does.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling'
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch'
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2'
import { DescribeLoadBalancersCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress } from '../../src/model.js'
import type { Provider, ProviderSettings } from '../../providers/provider.js'
import { providerFor } from '../../providers/registry.js'
import { freePort, startMoto, useDummyAwsCredentials, type Moto } from '../helpers/moto.js'
import { startFaultProxy, type FaultProxy } from './fault-proxy.js'
import type { ContractHarness, ContractProject } from './harness.js'
import { providerContract } from './suite.js'

const NAME = 'ctaws'
const REGION = 'eu-west-1'
const GROUP = `strato-${NAME}-web`
let moto: Moto
let restoreEnv: () => void
let image = 1
let healthTimeoutSeconds = 20
/** while a version never turns healthy: the proxy that reports its instances unhealthy, and the instances that were healthy before */
let unhealthy: { proxy: FaultProxy; healthy: Set<string> } | undefined

function manifest(endpoint = moto.endpoint): Manifest {
  return {
    name: NAME,
    services: {
      web: {
        image: `registry.example/web:1.${image}.0`, port: 8080, health: '/healthz', replicas: 2,
        autoscale: { min: 1, max: 3, target: { cpu: 60 }, steps: [{ metric: 'cpu', above: 85, change: 1 }], schedule: [{ cron: '0 8 * * 1-5', min: 2 }], cooldown: '60s' },
      },
    },
    targets: { aws: { provider: 'aws', region: REGION, instanceType: 't3.small', endpoint } },
  }
}

const project = (): ContractProject => ({ manifest: manifest(), dir: process.cwd(), targetName: 'aws', service: 'web' })

function open(settings: ProviderSettings = {}, endpoint?: string): Promise<Provider> {
  const m = manifest(endpoint)
  return providerFor({
    manifest: m, targetName: 'aws', target: m.targets!.aws, projectDir: process.cwd(), env: process.env, progress: silentProgress,
    settings: { maxAttempts: 2, pollIntervalMs: 50, healthTimeoutSeconds, ...settings },
  })
}

function clients() {
  const config = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }
  return { asg: new AutoScalingClient(config), ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config), cw: new CloudWatchClient(config) }
}

/** An AWS error answer in the request's protocol: EC2's own XML, or the query services' ErrorResponse. */
function awsError(status: number, code: string, message: string) {
  return (_request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const ec2 = body.toString().includes('Version=2016-11-15')
    response.writeHead(status, { 'content-type': 'text/xml' })
    response.end(ec2
      ? `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>contract</RequestID></Response>`
      : `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>contract</RequestId></ErrorResponse>`)
  }
}

async function proxied(setUp: (proxy: FaultProxy) => void, settings: ProviderSettings) {
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: moto.port })
  setUp(proxy)
  const provider = await open(settings, proxy.address)
  return { provider, injected: proxy.injected, close: async () => { await provider.close(); await proxy.close() } }
}

/** The running instances the service's target group reports healthy (moto keeps terminated ones registered; AWS would not). */
async function healthyTargets(): Promise<string[]> {
  const c = clients()
  const groups = (await c.elb.send(new DescribeTargetGroupsCommand({ Names: [`${NAME}-web`] }))).TargetGroups ?? []
  const health = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groups[0].TargetGroupArn }))
  const running = await c.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:strato.project', Values: [NAME] }, { Name: 'instance-state-name', Values: ['running'] }] }))
  const alive = new Set((running.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).map((instance) => instance.InstanceId))
  return (health.TargetHealthDescriptions ?? []).filter((target) => target.TargetHealth?.State === 'healthy' && alive.has(target.Target!.Id)).map((target) => target.Target!.Id!).sort()
}

const harness: ContractHarness = {
  kind: 'aws',
  async setUp() {
    restoreEnv = useDummyAwsCredentials()
    moto = await startMoto()
  },
  async tearDown() {
    await moto?.stop()
    restoreEnv?.()
  },
  project,
  open: (settings) => open(settings, unhealthy?.proxy.address),
  changeVersion() {
    image += 1
  },
  async neverHealthy() {
    // The target group reports every instance that was not already serving as unhealthy, as AWS does for
    // instances whose service never answers its health path.
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: moto.port })
    const healthy = new Set(await healthyTargets())
    proxy.rewrite((_request, body, answer) => {
      if (!body.toString().includes('Action=DescribeTargetHealth')) return answer
      return Buffer.from(answer.toString().replace(/<member>((?:(?!<\/member>)[\s\S])*?<Id>([^<]+)<\/Id>[\s\S]*?)<\/member>/g, (member: string, _inner: string, id: string) =>
        (healthy.has(id) ? member : member.replace(/<State>healthy<\/State>/, '<State>unhealthy</State>'))))
    })
    unhealthy = { proxy, healthy }
    image += 1
    healthTimeoutSeconds = 2
    return async () => {
      healthTimeoutSeconds = 20
      image -= 1
      unhealthy = undefined
      await proxy.close()
    }
  },
  serving: () => healthyTargets(),
  withTransientFaults: (failures) => proxied((proxy) => {
    // throttling first, then a server error: the SDK's retries take both
    let given = 0
    proxy.failNext(failures, (request, body, response) => (given++ % 2 === 0
      ? awsError(400, 'Throttling', 'Rate exceeded')
      : awsError(503, 'ServiceUnavailable', 'Please try again'))(request, body, response))
  }, { maxAttempts: failures + 2 }),
  withRefusedCredentials: () => proxied((proxy) => proxy.refuseAll(awsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')), {}),
  unreachable: async () => open({ maxAttempts: 1 }, `http://127.0.0.1:${await freePort()}`),
  async recordMetrics() {
    const now = Date.now()
    await clients().cw.send(new PutMetricDataCommand({
      Namespace: 'AWS/EC2',
      MetricData: [35, 55].map((value, index) => ({
        MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: GROUP }], Timestamp: new Date(now - (3 - index) * 60_000), Value: value, Unit: 'Percent',
      })),
    }))
  },
  async recordSpend(period) {
    await moto.post('/moto-api/static/ce/cost-and-usage-results', { results: [{ ResultsByTime: [{
      TimePeriod: { Start: period.start, End: period.end },
      Groups: [{ Keys: ['strato.service$web'], Metrics: { UnblendedCost: { Amount: '3.20', Unit: 'USD' } } }],
    }] }] })
  },
  async labelled() {
    const c = clients()
    const byTag = [{ Name: 'tag:strato.project', Values: [NAME] }]
    const [groups, instances, templates, securityGroups, balancers, targetGroups] = await Promise.all([
      c.asg.send(new DescribeAutoScalingGroupsCommand({ Filters: byTag })),
      c.ec2.send(new DescribeInstancesCommand({ Filters: [...byTag, { Name: 'instance-state-name', Values: ['pending', 'running'] }] })),
      c.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: byTag })),
      c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: byTag })),
      c.elb.send(new DescribeLoadBalancersCommand({})),
      c.elb.send(new DescribeTargetGroupsCommand({})),
    ])
    const elbArns = [...(balancers.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn!), ...(targetGroups.TargetGroups ?? []).map((group) => group.TargetGroupArn!)]
    const tagged = elbArns.length ? (await c.elb.send(new DescribeTagsCommand({ ResourceArns: elbArns }))).TagDescriptions ?? [] : []
    return [
      ...(groups.AutoScalingGroups ?? []).map((group) => `group ${group.AutoScalingGroupName}`),
      ...(instances.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).map((instance) => `instance ${instance.InstanceId}`),
      ...(templates.LaunchTemplates ?? []).map((template) => `template ${template.LaunchTemplateName}`),
      ...(securityGroups.SecurityGroups ?? []).map((group) => `security group ${group.GroupId}`),
      ...tagged.filter((description) => description.Tags?.some((tag) => tag.Key === 'strato.project' && tag.Value === NAME)).map((description) => `elb ${description.ResourceArn}`),
    ]
  },
}

providerContract(harness)
