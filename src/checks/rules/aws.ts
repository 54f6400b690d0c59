/** Live rules over AWS (AWS-*): security groups, volumes, launch templates, instances. */
import { defineRule, type Hit, type Reference, type Rule } from '../types.js'
import { adminPortsIn, describeAdminPorts, isWorld, missingTags } from './cloud-network.js'

const cisAws = (id: string, title: string): Reference => ({ standard: 'CIS AWS Foundations Benchmark v3.0.0', id, title })

export const awsRules: Rule[] = [
  defineRule({
    id: 'AWS-001', pack: 'aws', severity: 'critical', reads: ['aws.securityGroup'],
    title: 'Security group opens an admin port to the internet',
    rationale: 'SSH or RDP open to 0.0.0.0/0 or ::/0 is scanned and brute-forced within minutes of creation.',
    remediation: 'Allow the admin port from a bastion or VPN range only, or close it and use SSM Session Manager.',
    references: [
      cisAws('5.2', 'Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports'),
      cisAws('5.3', 'Ensure no security groups allow ingress from ::/0 to remote server administration ports'),
    ],
    check({ data }) {
      const hits: Hit[] = []
      for (const rule of data.ingress) {
        if (!['tcp', '6', '-1', 'all'].includes(rule.protocol)) continue
        const [from, to] = rule.protocol === '-1' || rule.protocol === 'all' ? [0, 65535] : [rule.fromPort, rule.toPort]
        const ports = adminPortsIn(from, to)
        const open = [...rule.cidrs, ...rule.ipv6Cidrs].filter(isWorld)
        if (ports.length && open.length) hits.push({ message: `${data.groupId} (${data.name}) allows ${describeAdminPorts(ports)} from ${open.join(', ')}.` })
      }
      return hits
    },
  }),
  defineRule({
    id: 'AWS-002', pack: 'aws', severity: 'high', reads: ['aws.volume', 'aws.launchTemplate'],
    title: 'EBS volume not encrypted',
    rationale: 'Unencrypted volumes and their snapshots can be read by anyone who gets hold of them, including through a mis-shared snapshot.',
    remediation: 'Turn on EBS encryption by default for the region, and recreate the volume (or launch template root volume) with Encrypted: true.',
    references: [cisAws('2.2.1', 'Ensure EBS volume encryption is enabled in all regions')],
    check(subject) {
      if (subject.kind === 'aws.volume') return subject.data.encrypted ? [] : [{ message: `Volume ${subject.data.volumeId} is not encrypted.` }]
      const template = subject.data as { id: string; name: string; rootVolumeEncrypted: boolean }
      return template.rootVolumeEncrypted ? [] : [{ message: `Launch template ${template.name} (${template.id}) creates an unencrypted root volume.` }]
    },
  }),
  defineRule({
    id: 'AWS-003', pack: 'aws', severity: 'high', reads: ['aws.instance', 'aws.launchTemplate'],
    title: 'Instance metadata allows IMDSv1',
    rationale: 'IMDSv1 answers any GET: a server-side request forgery in the service is enough to steal the instance role\'s credentials.',
    remediation: 'Require session tokens: HttpTokens=required on the launch template and running instances.',
    references: [cisAws('5.6', 'Ensure that EC2 Metadata Service only allows IMDSv2')],
    check(subject) {
      const data = subject.data as { httpTokens: string; httpEndpoint?: string; instanceId?: string; name?: string; id?: string }
      if (data.httpTokens === 'required' || data.httpEndpoint === 'disabled') return []
      const what = subject.kind === 'aws.instance' ? `Instance ${data.instanceId}` : `Launch template ${data.name} (${data.id})`
      return [{ message: `${what} allows IMDSv1 (HttpTokens=${data.httpTokens}).` }]
    },
  }),
  defineRule({
    id: 'AWS-004', pack: 'aws', severity: 'medium', reads: ['aws.instance', 'aws.launchTemplate'],
    title: 'Instance gets a public IP',
    rationale: 'An instance with a public address is one security group mistake away from the internet; services behind a load balancer do not need one.',
    remediation: 'Launch into private subnets with AssociatePublicIpAddress=false and reach them through the load balancer.',
    references: [],
    check(subject) {
      if (subject.kind === 'aws.instance') {
        const ip = (subject.data as { publicIp?: string; instanceId: string })
        return ip.publicIp ? [{ message: `Instance ${ip.instanceId} has public IP ${ip.publicIp}.` }] : []
      }
      const template = subject.data as { associatePublicIp: boolean; name: string; id: string }
      return template.associatePublicIp ? [{ message: `Launch template ${template.name} (${template.id}) associates a public IP.` }] : []
    },
  }),
  defineRule({
    id: 'AWS-005', pack: 'aws', severity: 'low', reads: ['aws.securityGroup', 'aws.volume', 'aws.launchTemplate', 'aws.instance'],
    title: 'Required tags missing',
    rationale: 'Cost allocation, ownership and incident response rely on the tags listed in checks.requiredTags.',
    remediation: 'Add the missing tags (strato adds strato.* tags itself; the rest come from your tagging policy).',
    references: [],
    check(subject, context) {
      const missing = missingTags((subject.data as { tags?: Record<string, string> }).tags, context.requiredTags)
      return missing.length ? [{ message: `${subject.resource} lacks tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.` }] : []
    },
  }),
]
