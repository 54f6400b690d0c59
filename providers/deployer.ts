/** Who deploys, as release records and labels name them: user@host. */
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
