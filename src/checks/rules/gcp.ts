/** Live rules over Google Cloud (GCP-*): firewalls, instances, disks. */
import { defineRule, type Hit, type Reference, type Rule } from '../types.js'
import { adminPortsIn, describeAdminPorts, isWorld, missingTags, parsePortRange } from './cloud-network.js'

const cisGcp = (id: string, title: string): Reference => ({ standard: 'CIS Google Cloud Platform Foundation Benchmark v2.0.0', id, title })
const DEFAULT_SERVICE_ACCOUNT = /^\d+-compute@developer\.gserviceaccount\.com$/
const FULL_ACCESS_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

export const gcpRules: Rule[] = [
  defineRule({
    id: 'GCP-001', pack: 'gcp', severity: 'critical', reads: ['gcp.firewall'],
    title: 'Firewall opens an admin port to the internet',
    rationale: 'SSH or RDP allowed from 0.0.0.0/0 is found and brute-forced within minutes.',
    remediation: 'Limit source ranges to a bastion or VPN, or use Identity-Aware Proxy TCP forwarding (35.235.240.0/20).',
    references: [
      cisGcp('3.6', 'Ensure that SSH access is restricted from the internet'),
      cisGcp('3.7', 'Ensure that RDP access is restricted from the internet'),
    ],
    check({ data }) {
      if (data.direction !== 'INGRESS' || data.disabled) return []
      const open = data.sourceRanges.filter(isWorld)
      if (!open.length) return []
      const ports = new Set<number>()
      for (const allowed of data.allowed) {
        if (!['tcp', 'all'].includes(allowed.protocol)) continue
        const ranges = allowed.ports.length ? allowed.ports : ['*']
        for (const range of ranges) {
          const parsed = parsePortRange(range)
          if (parsed) for (const port of adminPortsIn(...parsed)) ports.add(port)
        }
      }
      const hits: Hit[] = []
      if (ports.size) hits.push({ message: `Firewall ${data.name} allows ${describeAdminPorts([...ports].sort((a, b) => a - b))} from ${open.join(', ')}.` })
      return hits
    },
  }),
  defineRule({
    id: 'GCP-002', pack: 'gcp', severity: 'high', reads: ['gcp.instance'],
    title: 'Default service account with full API access',
    rationale: 'The default compute service account holds Editor on the project; with the cloud-platform scope any code on the VM can change nearly everything in it.',
    remediation: 'Create a dedicated service account with only the roles the service needs, and attach it with narrow scopes.',
    references: [
      cisGcp('4.1', 'Ensure that instances are not configured to use the default service account'),
      cisGcp('4.2', 'Ensure that instances are not configured to use the default service account with full access to all Cloud APIs'),
    ],
    check({ data }) {
      return data.serviceAccounts
        .filter((account) => DEFAULT_SERVICE_ACCOUNT.test(account.email) || account.email === 'default')
        .map((account) => account.scopes.includes(FULL_ACCESS_SCOPE)
          ? { message: `Instance ${data.name} uses the default service account with the cloud-platform scope.` }
          : { message: `Instance ${data.name} uses the default service account.` })
    },
  }),
  defineRule({
    id: 'GCP-003', pack: 'gcp', severity: 'medium', reads: ['gcp.instance'],
    title: 'Instance has a public IP',
    rationale: 'An instance with an external address is one firewall mistake away from the internet.',
    remediation: 'Remove the access config (external IP) from the instance template; use Cloud NAT for egress and the load balancer for ingress.',
    references: [cisGcp('4.9', 'Ensure that Compute instances do not have public IP addresses')],
    check({ data }) {
      return data.publicIps.length ? [{ message: `Instance ${data.name} has public IP ${data.publicIps.join(', ')}.` }] : []
    },
  }),
  defineRule({
    id: 'GCP-004', pack: 'gcp', severity: 'medium', reads: ['gcp.instance'],
    title: 'Project-wide SSH keys allowed',
    rationale: 'Project-wide SSH keys let every key holder in the project log in to this instance; one leaked key opens all of them.',
    remediation: 'Set the instance metadata `block-project-ssh-keys: TRUE`, or use OS Login.',
    references: [cisGcp('4.3', "Ensure 'Block Project-wide SSH keys' is enabled for VM instances")],
    check({ data }) {
      return data.blockProjectSshKeys ? [] : [{ message: `Instance ${data.name} accepts project-wide SSH keys.` }]
    },
  }),
  defineRule({
    id: 'GCP-005', pack: 'gcp', severity: 'low', reads: ['gcp.disk'],
    title: 'Disk uses Google-managed keys',
    rationale: 'Disks are always encrypted, but with Google-managed keys you cannot revoke access to the data independently of the project.',
    remediation: 'For sensitive data, create disks with a customer-managed key (Cloud KMS).',
    references: [cisGcp('4.7', 'Ensure VM disks for critical VMs are encrypted with Customer-Supplied Encryption Keys (CSEK)')],
    check({ data }) {
      return data.encryption === 'google-managed' ? [{ message: `Disk ${data.name} uses Google-managed encryption keys.` }] : []
    },
  }),
  defineRule({
    id: 'GCP-006', pack: 'gcp', severity: 'low', reads: ['gcp.instance', 'gcp.disk'],
    title: 'Required labels missing',
    rationale: 'Cost allocation, ownership and incident response rely on the labels listed in checks.requiredTags.',
    remediation: 'Add the missing labels to the instance template or disk.',
    references: [],
    check(subject, context) {
      const missing = missingTags((subject.data as { labels?: Record<string, string> }).labels, context.requiredTags)
      return missing.length ? [{ message: `${subject.resource} lacks label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.` }] : []
    },
  }),
]
