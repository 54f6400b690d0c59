/**
 * One Docker host, driven through the docker CLI (execa, never a shell).
 *
 * Why the CLI and not the Engine API (dockerode): the CLI reaches all three
 * kinds of host strato supports with the same code path. unix sockets and
 * tcp+TLS are flags (--host, --tlsverify...), and ssh:// hosts go through the
 * user's own ssh client, keys, agent and ~/.ssh/config, which dockerode can
 * only imitate with a bundled ssh library. `docker build` also honours
 * .dockerignore and streams the context itself, which over the raw API we
 * would have to re-implement. The cost, a process per call, is a few ms next
 * to builds and health waits.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { execa, type ResultPromise } from 'execa'
import { classifyDockerError, isTransientDockerError } from './errors.js'
import { dockerArgv } from './argv.js'

export interface TlsFiles {
  ca: string
  cert: string
  key: string
}

export interface RunOptions {
  input?: string
  timeoutMs?: number
  /** extra environment for the docker client, e.g. secret values passed with -e NAME */
  env?: NodeJS.ProcessEnv
}

/** How a read that failed on the connection is tried again: attempts in all, the first delay doubling each time. */
export interface RetryPolicy {
  attempts: number
  delayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, delayMs: 250 }

/** Subcommands that only read: safe to run again after a dropped connection. Changes are never retried (they may have happened). */
const READS = new Set(['version', 'info', 'ps', 'inspect', 'stats', 'logs'])
const LISTS = new Set(['ls', 'inspect'])

export function isRead(args: string[]): boolean {
  return READS.has(args[0]) && !args.includes('--follow') || (['image', 'network', 'volume', 'service', 'container', 'node'].includes(args[0]) && LISTS.has(args[1]))
}

export class DockerCommandError extends Error {
  constructor(readonly args: string[], readonly stderr: string, readonly exitCode: number | undefined) {
    super(`docker ${args.slice(0, 2).join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`)
  }
}

export class DockerHost {
  constructor(
    /** unix:///var/run/docker.sock, ssh://user@host or tcp://host:2376 */
    readonly address: string,
    private readonly tls: TlsFiles | undefined,
    private readonly env: NodeJS.ProcessEnv,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** The global flags that point the docker client at this host. */
  globalArgs(): string[] {
    const args = ['--host', this.address]
    if (this.tls) args.push('--tlsverify', '--tlscacert', this.tls.ca, '--tlscert', this.tls.cert, '--tlskey', this.tls.key)
    return args
  }

  /** A short name for messages: the socket path or host. */
  get label(): string {
    return this.address.replace(/^unix:\/\//, '')
  }

  private environment(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    // The address is always passed with --host; a DOCKER_HOST or DOCKER_CONTEXT from the
    // shell must not override it.
    const { DOCKER_HOST: _host, DOCKER_CONTEXT: _context, ...rest } = { ...this.env, ...extra }
    return { ...rest, DOCKER_CLI_HINTS: 'false' }
  }

  /**
   * Runs docker and returns stdout; failures become UserErrors when the user
   * can fix them. A read that fails on the connection (a reset, a dropped
   * ssh session) is tried again with backoff before it counts.
   */
  async run(args: string[], options: RunOptions = {}): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const result = await execa('docker', [...this.globalArgs(), ...args], {
        input: options.input,
        timeout: options.timeoutMs ?? 600_000,
        env: this.environment(options.env),
        extendEnv: false,
        reject: false,
        stripFinalNewline: true,
      })
      if (result.exitCode === 0) return result.stdout
      const stderr = result.timedOut ? `timed out after ${options.timeoutMs} ms` : result.stderr
      if (attempt < this.retry.attempts && isRead(args) && isTransientDockerError(stderr)) {
        await sleep(this.retry.delayMs * 2 ** (attempt - 1))
        continue
      }
      throw classifyDockerError(this.address, stderr) ?? new DockerCommandError(args, stderr, result.exitCode)
    }
  }

  /** Like run, but a failure is returned rather than thrown. */
  async tryRun(args: string[], options: RunOptions = {}): Promise<{ ok: true; stdout: string } | { ok: false; error: Error }> {
    try {
      return { ok: true, stdout: await this.run(args, options) }
    } catch (error) {
      return { ok: false, error: error as Error }
    }
  }

  /** stdout and stderr interleaved, never throwing: for `docker logs`, which replays a container's stderr on its own. */
  async combinedOutput(args: string[]): Promise<string> {
    const result = await execa('docker', [...this.globalArgs(), ...args], { env: this.environment(), extendEnv: false, reject: false, all: true, timeout: 60_000 })
    return result.all ?? ''
  }

  /** A long-running docker process (logs -f), streaming to the given writers. */
  spawn(args: string[]): ResultPromise {
    return execa('docker', [...this.globalArgs(), ...args], { env: this.environment(), extendEnv: false, reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe' })
  }

  /** Server version, or the reason the host cannot be used. */
  async probe(timeoutMs = 15_000): Promise<string> {
    return this.run(dockerArgv.serverVersion(), { timeoutMs })
  }
}
