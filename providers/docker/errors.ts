/**
 * The docker client's failures, sorted into the exit-code families. Pure (no
 * process), so doctor's checks and the engine share it. The client reports
 * only text, so its stderr is what is matched here.
 */
import { UserError } from '../../src/errors.js'

/** Failures of the docker client, sorted into the exit-code families. */
export function classifyDockerError(host: string, stderr: string): UserError | undefined {
  if (/permission denied/i.test(stderr) && /(docker\.sock|daemon|dial unix)/i.test(stderr)) {
    return new UserError(`Permission denied talking to the Docker daemon at ${host}.`, {
      code: 'denied',
      fix: 'Run strato as a user in the docker group (sudo usermod -aG docker $USER, then log in again), or as root.',
    })
  }
  // An authorization plugin (or a TLS daemon refusing the client certificate) said no: the credentials, not the host.
  if (/authorization denied by plugin|tls: bad certificate|tls: certificate required|tls: unknown certificate authority/i.test(stderr)) {
    return new UserError(`The Docker daemon at ${host} refused strato's credentials.`, {
      code: 'denied',
      fix: 'Use a client certificate (targets.<name>.tls) or a user the daemon\'s authorization policy allows, or ask the host\'s administrator to allow this one.',
      details: [stderr.trim().split('\n').slice(-1)[0] ?? ''],
    })
  }
  if (/(Cannot connect to the Docker daemon|error during connect|connection refused|no such host|i\/o timeout|ssh: |Could not resolve hostname|No route to host|dial unix .*: connect: no such file|context deadline exceeded|Connection closed by)/i.test(stderr)) {
    return new UserError(`The Docker daemon at ${host} cannot be reached.`, {
      code: 'unreachable',
      fix: `Check that dockerd runs on that host and that ${host.startsWith('ssh://') ? 'ssh to it works without a password prompt' : 'the address is right'} (docker --host ${host} info).`,
      details: [stderr.trim().split('\n').slice(-1)[0] ?? ''],
    })
  }
  return undefined
}

/**
 * A failure of the connection rather than of the request (a dropped
 * connection, a reset, a timeout, a daemon behind a proxy answering 502-504):
 * worth trying again before the host counts as unreachable.
 */
export function isTransientDockerError(stderr: string): boolean {
  return /(connection reset by peer|unexpected EOF|: EOF\b|TLS handshake timeout|i\/o timeout|context deadline exceeded|broken pipe|50[234] (Bad Gateway|Service Unavailable|Gateway Timeout)|error during connect)/i.test(stderr)
}
