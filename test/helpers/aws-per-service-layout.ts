/**
 * A project deployed to moto as strato deployed aws targets before balancers
 * were shared: per service a balancer security group (HTTP from anywhere),
 * an instances' group admitting the service port from it, a target group and
 * an Application Load Balancer named <project>-<service> with a listener
 * forwarding to it, all tagged with the service; then the launch template
 * and group (unchanged since) registered with that target group, and the
 * autoscaling compiled against that balancer. The ELB and security group
 * calls are written out here as that code made them, so the migration is
 * tested against the layout it really meets.
 */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2'
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { AwsTargetConfig, Manifest } from '../../src/manifest/schema.js'
import { serviceVersion } from '../../src/planning/version.js'
import { createGroup } from '../../providers/aws/auto-scaling-group.js'
import { compileAwsAutoscaling, REQUEST_LABEL } from '../../providers/aws/autoscaling-compile.js'
import { applyPolicies, arnLabel } from '../../providers/aws/autoscaling-policies.js'
import { createClients } from '../../providers/aws/clients.js'
import { groupBounds } from '../../providers/aws/deployment.js'
import { checkInstanceType, defaultImageId } from '../../providers/aws/instance-types.js'
import { putLaunchTemplate } from '../../providers/aws/launch-template.js'
import { resolveNetwork } from '../../providers/aws/network.js'

const tags = (project: string, service: string, role: string) => [
  { Key: 'strato.project', Value: project }, { Key: 'strato.service', Value: service }, { Key: 'strato.role', Value: role },
]

export interface PerServiceLayout {
  /** per service: its own balancer's ARN and DNS name, target group and balancer security group */
  services: Record<string, { balancerArn: string; dnsName: string; targetGroupArn: string; lbGroupId: string; appGroupId: string }>
}

export async function deployPerServiceLayout(manifest: Manifest, targetName: string, projectDir: string): Promise<PerServiceLayout> {
  const target = manifest.targets![targetName] as AwsTargetConfig
  const clients = createClients({ target, targetName, maxAttempts: 2 })
  const project = manifest.name
  const network = await resolveNetwork(clients, target, targetName)
  const type = await checkInstanceType(clients, target.instanceType!, `targets.${targetName}.instanceType`)
  const imageId = await defaultImageId(clients, type.architecture, targetName)
  const layout: PerServiceLayout = { services: {} }
  for (const [service, spec] of Object.entries(manifest.services)) {
    const lb = await clients.ec2.send(new CreateSecurityGroupCommand({
      GroupName: `strato-${project}-${service}-lb`, Description: `strato ${project}/${service} load balancer`, VpcId: network.vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tags(project, service, 'lb-security-group') }],
    }))
    await clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: lb.GroupId, IpPermissions: [
      { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTP to the load balancer' }] },
    ] }))
    const app = await clients.ec2.send(new CreateSecurityGroupCommand({
      GroupName: `strato-${project}-${service}-app`, Description: `strato ${project}/${service} instances`, VpcId: network.vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tags(project, service, 'app-security-group') }],
    }))
    await clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: app.GroupId, IpPermissions: [
      { IpProtocol: 'tcp', FromPort: spec.port, ToPort: spec.port, UserIdGroupPairs: [{ GroupId: lb.GroupId, Description: 'service port from the load balancer only' }] },
    ] }))
    const targetGroup = (await clients.elb.send(new CreateTargetGroupCommand({
      Name: `${project}-${service}`, Protocol: 'HTTP', Port: spec.port, VpcId: network.vpcId, TargetType: 'instance',
      HealthCheckProtocol: 'HTTP', HealthCheckPath: spec.health ?? '/', HealthCheckIntervalSeconds: 15, HealthyThresholdCount: 2, UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-399' }, Tags: tags(project, service, 'target-group'),
    }))).TargetGroups![0]
    const balancer = (await clients.elb.send(new CreateLoadBalancerCommand({
      Name: `${project}-${service}`, Type: 'application', Scheme: 'internet-facing', Subnets: network.subnets, SecurityGroups: [lb.GroupId!],
      Tags: tags(project, service, 'load-balancer'),
    }))).LoadBalancers![0]
    await clients.elb.send(new CreateListenerCommand({
      LoadBalancerArn: balancer.LoadBalancerArn, Protocol: 'HTTP', Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroup.TargetGroupArn }], Tags: tags(project, service, 'load-balancer'),
    }))

    const version = serviceVersion(projectDir, service, spec)
    // image: services only, as the old code ran them: the reference as given
    const image = spec.image!
    const template = await putLaunchTemplate(clients, {
      project, service, image, spec, version, instanceType: target.instanceType!, imageId, appSecurityGroupId: app.GroupId!, publicIp: true,
    }, [])
    const replicas = spec.replicas ?? spec.autoscale?.min ?? 1
    await createGroup(clients, {
      project, service, version, launchTemplate: template, subnets: network.subnets, targetGroupArn: targetGroup.TargetGroupArn!,
      ...groupBounds(spec, replicas), desired: replicas, gracePeriod: 300,
    })
    if (spec.autoscale) {
      const label = `${arnLabel(balancer.LoadBalancerArn!, 'loadbalancer/')}/${arnLabel(targetGroup.TargetGroupArn!, 'targetgroup/')}`
      const bounds = groupBounds(spec, replicas)
      await applyPolicies(clients, compileAwsAutoscaling({ project, service, policy: spec.autoscale, resolved: { [REQUEST_LABEL]: label } }), { ...bounds, desired: replicas })
    }
    layout.services[service] = {
      balancerArn: balancer.LoadBalancerArn!, dnsName: balancer.DNSName!, targetGroupArn: targetGroup.TargetGroupArn!, lbGroupId: lb.GroupId!, appGroupId: app.GroupId!,
    }
  }
  clients.destroy()
  return layout
}
