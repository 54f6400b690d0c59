/**
 * Who is deploying from this machine, for release histories: the login name
 * at this host. Shared by the providers that record a deployer (docker, gcp);
 * it knows no provider.
 */
import os from 'node:os'

export function localDeployer(env: NodeJS.ProcessEnv): string {
  let user = env.USER ?? env.LOGNAME
  try {
    user ??= os.userInfo().username
  } catch {
    user ??= 'unknown'
  }
  return `${user}@${os.hostname()}`
}
