/** Who deploys: user@host, recorded with each release by every provider. */
import os from 'node:os'

export function deployer(env: NodeJS.ProcessEnv): string {
  let user = env.USER ?? env.LOGNAME
  try {
    user ??= os.userInfo().username
  } catch {
    user ??= 'unknown'
  }
  return `${user}@${os.hostname()}`
}
