/**
 * Two error families. A UserError is something the person running strato can
 * fix: it carries what went wrong, how to fix it and an exit code from the one
 * table below. Anything else is a bug and keeps its stack.
 */

export const ExitCode = {
  ok: 0,
  /** the work failed (a deploy that rolled back, a provider that refused) */
  failure: 1,
  /** bad flags, arguments or manifest: nothing was attempted */
  usage: 2,
  /** a policy or budget gate failed (check, cost) */
  gate: 3,
  /** a target or host could not be reached */
  unreachable: 4,
  /** credentials missing or refused, or permission denied */
  denied: 5,
  /** the target is not in a state that allows this: lock held, port taken, name clash */
  conflict: 6,
  /** the feature exists in the command line but is not built for this case yet */
  notSupported: 7,
} as const

export type ExitCodeName = keyof typeof ExitCode

/** What each exit code tells a script or a CI step, as `--help` lists them. */
export const EXIT_CODE_MEANINGS: Record<ExitCodeName, string> = {
  ok: 'ok',
  failure: 'the work failed (for example a rollout that was rolled back), or a bug in strato',
  usage: 'usage or manifest error: nothing was attempted',
  gate: 'a policy or budget gate failed',
  unreachable: 'a target or host could not be reached',
  denied: 'credentials missing or refused, or permission denied',
  conflict: 'conflict: a deploy lock is held, a port is taken, nothing to roll back to',
  notSupported: 'not supported yet for this provider or case',
}

export class UserError extends Error {
  override readonly name = 'UserError'
  constructor(
    message: string,
    readonly options: { fix?: string; code?: ExitCodeName; details?: string[]; data?: Record<string, unknown> } = {},
  ) {
    super(message)
  }

  get exitCode(): number {
    return ExitCode[this.options.code ?? 'failure']
  }

  get fix(): string | undefined {
    return this.options.fix
  }
}

/** A usage error: wrong flags, arguments or manifest. */
export function usageError(message: string, fix?: string, details?: string[], data?: Record<string, unknown>): UserError {
  return new UserError(message, { fix, code: 'usage', details, data })
}

/** For provider methods and command paths that are not built yet: say so, never fake it. */
export function notSupported(what: string, fix?: string): UserError {
  return new UserError(`${what} is not supported yet.`, { code: 'notSupported', fix })
}

/** The exit code a run ends with, for any thrown value. Pure; unit-tested. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UserError) return error.exitCode
  const { oclif, code } = (error ?? {}) as { oclif?: { exit?: number }; code?: string }
  // this.exit(n) unwinds with an EEXIT error carrying n
  if (code === 'EEXIT' && typeof oclif?.exit === 'number') return oclif.exit
  // oclif's own parse errors (unknown flag, missing argument) are usage errors
  if (oclif && typeof oclif.exit === 'number') return oclif.exit === 0 ? 0 : ExitCode.usage
  return ExitCode.failure
}

/** The --json shape of an error. */
export function errorToJson(error: unknown): { error: { kind: 'user' | 'bug'; exitCode: number; message: string; fix?: string; details?: string[] } & Record<string, unknown> } {
  if (error instanceof UserError) {
    return { error: { kind: 'user', exitCode: error.exitCode, message: error.message, fix: error.fix, details: error.options.details, ...error.options.data } }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { error: { kind: 'bug', exitCode: exitCodeFor(error), message } }
}
