/** Live rules over Azure (AZR-*): network security group rules, disks, VMs. */
import { defineRule, type Hit, type Reference, type Rule } from '../types.js'
import { adminPortsIn, describeAdminPorts, isWorld, missingTags, parsePortRange } from './cloud-network.js'

const cisAzure = (id: string, title: string): Reference => ({ standard: 'CIS Microsoft Azure Foundations Benchmark v2.0.0', id, title })
const BROAD_ROLES = new Set(['Owner', 'Contributor', 'User Access Administrator'])

export const azureRules: Rule[] = [
  defineRule({
    id: 'AZR-001', pack: 'azure', severity: 'critical', reads: ['azure.nsgRule'],
    title: 'NSG opens an admin port to the internet',
    rationale: 'RDP or SSH allowed from Internet/Any/0.0.0.0/0 is brute-forced continuously.',
    remediation: 'Restrict the source to a bastion or VPN range, or remove the rule and use Azure Bastion.',
    references: [
      cisAzure('6.1', 'Ensure that RDP access from the Internet is evaluated and restricted'),
      cisAzure('6.2', 'Ensure that SSH access from the Internet is evaluated and restricted'),
    ],
    check({ data }) {
      if (data.direction !== 'Inbound' || data.access !== 'Allow' || !['Tcp', '*', 'tcp'].includes(data.protocol)) return []
      const open = data.sourceAddressPrefixes.filter(isWorld)
      if (!open.length) return []
      const ports = [...new Set(data.destinationPortRanges.flatMap((range) => {
        const parsed = parsePortRange(range)
        return parsed ? adminPortsIn(...parsed) : []
      }))]
      const hits: Hit[] = []
      if (ports.length) hits.push({ message: `${data.nsgName}/${data.ruleName} allows ${describeAdminPorts(ports)} from ${open.join(', ')}.` })
      return hits
    },
  }),
  defineRule({
    id: 'AZR-002', pack: 'azure', severity: 'high', reads: ['azure.disk', 'azure.vm'],
    title: 'Managed disk not encrypted',
    rationale: 'A disk without encryption at rest can be read by whoever obtains a snapshot or export of it.',
    remediation: 'Enable encryption at rest (platform-managed keys at minimum, customer-managed keys for regulated data) and recreate the disk.',
    references: [cisAzure('7.3', "Ensure that 'OS and Data' disks are encrypted with Customer Managed Key (CMK)")],
    check(subject) {
      if (subject.kind === 'azure.disk') {
        const disk = subject.data as { encrypted: boolean; name: string; encryptionType: string }
        return disk.encrypted ? [] : [{ message: `Disk ${disk.name} is not encrypted (${disk.encryptionType || 'no encryption type'}).` }]
      }
      const vm = subject.data as { osDiskEncrypted: boolean; name: string }
      return vm.osDiskEncrypted ? [] : [{ message: `VM ${vm.name} has an unencrypted OS disk.` }]
    },
  }),
  defineRule({
    id: 'AZR-003', pack: 'azure', severity: 'medium', reads: ['azure.vm'],
    title: 'VM has a public IP',
    rationale: 'A VM with a public address is exposed to any NSG mistake; services behind a load balancer do not need one.',
    remediation: 'Remove the public IP from the VM or scale set profile and reach it through the load balancer or Bastion.',
    references: [],
    check({ data }) {
      return data.publicIp ? [{ message: `VM ${data.name} has public IP ${data.publicIp}.` }] : []
    },
  }),
  defineRule({
    id: 'AZR-004', pack: 'azure', severity: 'high', reads: ['azure.vm'],
    title: 'VM identity has a broad subscription role',
    rationale: 'A managed identity with Owner or Contributor on the subscription turns any code execution on the VM into control of the whole subscription.',
    remediation: 'Grant the identity only the roles it needs, scoped to the resources it uses (for example AcrPull on one registry).',
    references: [],
    check({ data }) {
      const broad = data.subscriptionRoles.filter((role) => BROAD_ROLES.has(role))
      return broad.length ? [{ message: `VM ${data.name} identity (${data.identityType}) holds ${broad.join(', ')} on the subscription.` }] : []
    },
  }),
  defineRule({
    id: 'AZR-005', pack: 'azure', severity: 'low', reads: ['azure.disk', 'azure.vm'],
    title: 'Required tags missing',
    rationale: 'Cost allocation, ownership and incident response rely on the tags listed in checks.requiredTags.',
    remediation: 'Add the missing tags to the resource.',
    references: [],
    check(subject, context) {
      const missing = missingTags((subject.data as { tags?: Record<string, string> }).tags, context.requiredTags)
      return missing.length ? [{ message: `${subject.resource} lacks tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.` }] : []
    },
  }),
]
