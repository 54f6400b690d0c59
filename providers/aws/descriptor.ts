/**
 * What the aws provider can do, as data, and the one list of AWS regions
 * strato knows (validate refuses any other). No SDK import: this file loads
 * on every run through providers/descriptors.ts.
 */
import { refuse, type ProviderDescriptor } from '../../src/capabilities.js'
import { diagnoseAws } from './diagnose.js'
import { awsTagCodec } from './label-codec.js'

export const AWS_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1',
  'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1',
  'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-gov-east-1', 'us-gov-west-1', 'us-west-1', 'us-west-2',
] as const

export const DEFAULT_INSTANCE_TYPE = 't3.small'

const NO_MEMORY = refuse(
  'EC2 reports no memory metric without the CloudWatch agent',
  'use target.cpu or target.requests on aws targets, or scale on memory on a docker target',
)
const NO_HISTORY = refuse(
  'aws targets keep no release history yet (the group runs one launch template per version)',
  'deploy the version you want from strato.yaml (check it out from git, then strato deploy)',
)

export const awsDescriptor: ProviderDescriptor = {
  kind: 'aws',
  title: 'AWS',
  built: true,
  verbs: {
    deploy: true, scale: true, destroy: true, facts: true, metrics: true,
    releases: NO_HISTORY,
    rollback: NO_HISTORY,
    logs: refuse('aws instances send no logs to strato yet', 'read them with the EC2 serial console or CloudWatch Logs'),
  },
  rollout: {
    how: 'a launch template per version; new instances join the group and pass the target group\'s health check before old ones go',
    healthGatedRollback: true,
    // A new instance installs Docker and pulls the image before it can pass a health check.
    healthTimeoutSeconds: 600,
  },
  autoscaling: {
    driver: 'native',
    target: { cpu: true, requests: true, memory: NO_MEMORY },
    steps: { cpu: true, requests: true, memory: NO_MEMORY },
    schedules: true,
    scaleInLimit: refuse(
      'AWS target tracking has no scale-in rate limit',
      'use a step rule with a negative change (e.g. { metric: cpu, below: 20, change: -1 }) with stabilization, or a docker target',
    ),
    stabilization: true,
    cooldown: true,
  },
  spend: { source: 'provider', how: 'Cost Explorer, grouped by the strato.service tag' },
  labels: awsTagCodec,
  locations: { field: 'region', noun: 'region', known: AWS_REGIONS },
  pricing: { model: 'catalog', regionField: 'region', sizeField: 'instanceType', defaultSize: DEFAULT_INSTANCE_TYPE },
  starter: () => ({ name: 'aws', target: { provider: 'aws', region: 'eu-west-1', instanceType: DEFAULT_INSTANCE_TYPE } }),
  diagnose: diagnoseAws,
}
