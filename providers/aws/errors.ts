/**
 * The edge where AWS answers become strato errors. Every SDK client gets one
 * middleware that translates a failed call, after the SDK's own retries, into
 * an AwsRequestError: a UserError with the exit code from the one table, the
 * IAM action that failed, and the fix. Call sites branch on `awsCode`, never
 * on message text.
 */
import { UserError, type ExitCodeName } from '../../src/errors.js'

export class AwsRequestError extends UserError {
  constructor(
    message: string,
    readonly awsCode: string,
    /** the IAM action, e.g. ec2:CreateSecurityGroup */
    readonly action: string,
    options: { fix?: string; code?: ExitCodeName },
  ) {
    super(message, { ...options, data: { awsCode, action } })
  }
}

/** True when `error` is an AWS error with one of `codes` (e.g. InvalidGroup.NotFound). */
export function isAwsError(error: unknown, ...codes: string[]): error is AwsRequestError {
  return error instanceof AwsRequestError && (codes.length === 0 || codes.includes(error.awsCode))
}

const CREDENTIAL_CODES = new Set([
  'InvalidClientTokenId', 'UnrecognizedClientException', 'AuthFailure', 'SignatureDoesNotMatch',
  'ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'InvalidToken', 'MissingAuthenticationToken',
])
const PERMISSION_CODES = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'Forbidden', 'OptInRequired',
])
const THROTTLING_CODES = new Set([
  'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled',
  'RequestThrottledException', 'SlowDown', 'PriorRequestNotComplete', 'LimitExceededException',
])
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'])

export interface ErrorScope {
  /** the IAM service prefix: ec2, autoscaling, elasticloadbalancing... */
  service: string
  targetName: string
  region: string
  endpoint?: string
}

/** The strato error for one failed SDK call; `operation` is the API name (CreateSecurityGroup). */
export function translateAwsError(error: unknown, operation: string, scope: ErrorScope): unknown {
  if (error instanceof UserError) return error
  const raw = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $response?: unknown; cause?: { code?: string } }
  const action = `${scope.service}:${operation}`
  const where = `target "${scope.targetName}" (${scope.region})`
  const name = raw?.name ?? 'Error'
  const message = typeof raw?.message === 'string' ? raw.message : String(error)

  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return new AwsRequestError(`No AWS credentials were found for ${where}.`, name, action, {
      code: 'denied',
      fix: 'Set AWS_PROFILE (or profile: in the target), run `aws sso login` for an SSO profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    })
  }
  if (CREDENTIAL_CODES.has(name)) {
    return new AwsRequestError(`AWS refused the credentials for ${where} when calling ${action} (${name}).`, name, action, {
      code: 'denied',
      fix: `Check that the access key or profile is valid and not expired (for SSO profiles run \`aws sso login\` again), and that ${scope.region} is enabled for the account if it is an opt-in region.`,
    })
  }
  if (PERMISSION_CODES.has(name)) {
    return new AwsRequestError(`Permission denied: ${action} on ${where}.`, name, action, {
      code: 'denied',
      fix: `Grant ${action} to the IAM role or user strato runs as (its policy must allow this action), then run the command again.`,
    })
  }
  if (THROTTLING_CODES.has(name)) {
    return new AwsRequestError(`AWS kept throttling ${action} on ${where} after every retry.`, name, action, {
      code: 'failure',
      fix: 'Wait a minute and run the command again; if it persists, raise the account\'s API rate limits or run fewer commands at once.',
    })
  }
  const networkCode = raw?.code ?? raw?.cause?.code
  if ((networkCode && NETWORK_CODES.has(networkCode)) || name === 'TimeoutError') {
    const endpoint = scope.endpoint ?? `the ${scope.service} endpoint of ${scope.region}`
    return new AwsRequestError(`Could not reach AWS at ${endpoint} for ${where} (${networkCode ?? name}).`, networkCode ?? name, action, {
      code: 'unreachable',
      fix: scope.endpoint
        ? `Check that the endpoint in targets.${scope.targetName}.endpoint is running and reachable.`
        : `Check the network and the region in targets.${scope.targetName}.region.`,
    })
  }
  if (raw?.$metadata) {
    return new AwsRequestError(`AWS refused ${action} on ${where}: ${message}`, name, action, {
      code: 'failure',
      fix: 'Read the AWS message above; correct the manifest or the account and run the command again.',
    })
  }
  return error
}

/** Middleware the clients install so every failure crosses the edge as a strato error. */
export function errorTranslationMiddleware(scope: ErrorScope) {
  return (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    try {
      return await next(args)
    } catch (error) {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '')
      throw translateAwsError(error, operation, scope)
    }
  }
}
