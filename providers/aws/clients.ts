/**
 * The SDK clients one aws target uses, built once per provider. Credentials
 * and region come from the SDK's standard chain (environment, shared config
 * and profiles, SSO); the target may name a profile and an endpoint override
 * for emulators and private endpoints. Retries use the SDK's adaptive mode:
 * exponential backoff with jitter plus client-side rate limiting once AWS
 * starts throttling, which suits the bursts of describe calls status makes.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer'
import { EC2Client } from '@aws-sdk/client-ec2'
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { IAMClient } from '@aws-sdk/client-iam'
import { SSMClient } from '@aws-sdk/client-ssm'
import type { AwsTargetConfig } from '../../src/manifest/schema.js'
import { errorTranslationMiddleware, type ErrorScope } from './errors.js'

export const DEFAULT_MAX_ATTEMPTS = 6
/** Cost Explorer and IAM are global: one endpoint, signed for us-east-1, whatever region the services run in. */
const GLOBAL_REGION = 'us-east-1'

export interface AwsClients {
  readonly ec2: EC2Client
  readonly autoScaling: AutoScalingClient
  readonly elb: ElasticLoadBalancingV2Client
  readonly cloudWatch: CloudWatchClient
  readonly costExplorer: CostExplorerClient
  readonly ssm: SSMClient
  readonly iam: IAMClient
  destroy(): void
}

export interface ClientOptions {
  target: AwsTargetConfig
  targetName: string
  /** total tries per call, first one included (STRATO_AWS_MAX_ATTEMPTS overrides the default) */
  maxAttempts?: number
}

/** The settings shared by every client: the unit tests assert them. */
export function clientConfig(options: ClientOptions, region = options.target.region) {
  return {
    region,
    ...(options.target.endpoint ? { endpoint: options.target.endpoint } : {}),
    ...(options.target.profile ? { profile: options.target.profile } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
  }
}

type Client = { middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void }; destroy(): void }

/** Clients are created on first use, so a command that only reads groups never builds the others. */
export function createClients(options: ClientOptions): AwsClients {
  const cache = new Map<string, Client>()
  const make = <C extends Client>(service: string, build: (config: ReturnType<typeof clientConfig>) => C, region?: string): C => {
    let client = cache.get(service) as C | undefined
    if (!client) {
      const config = clientConfig(options, region)
      client = build(config)
      const scope: ErrorScope = { service, targetName: options.targetName, region: config.region, endpoint: options.target.endpoint }
      client.middlewareStack.add(errorTranslationMiddleware(scope) as never, { step: 'initialize', name: 'stratoErrorTranslation' })
      cache.set(service, client)
    }
    return client
  }
  return {
    get ec2() { return make('ec2', (config) => new EC2Client(config)) },
    get autoScaling() { return make('autoscaling', (config) => new AutoScalingClient(config)) },
    get elb() { return make('elasticloadbalancing', (config) => new ElasticLoadBalancingV2Client(config)) },
    get cloudWatch() { return make('cloudwatch', (config) => new CloudWatchClient(config)) },
    get costExplorer() { return make('ce', (config) => new CostExplorerClient(config), GLOBAL_REGION) },
    get ssm() { return make('ssm', (config) => new SSMClient(config)) },
    get iam() { return make('iam', (config) => new IAMClient(config), GLOBAL_REGION) },
    destroy() {
      for (const client of cache.values()) client.destroy()
      cache.clear()
    },
  }
}
