/**
 * Prompts only when a person is there to answer: stdin and stdout are
 * terminals and CI is unset. Otherwise a missing value is a usage error that
 * names the flag. @inquirer/prompts loads lazily, only when a prompt shows.
 */
import { usageError, UserError } from '../src/errors.js'

export function canPrompt(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !env.CI
}

export async function askText(message: string, validate?: (value: string) => true | string, defaultValue?: string): Promise<string> {
  const { input } = await import('@inquirer/prompts')
  return input({ message, default: defaultValue, validate }, { output: process.stderr })
}

export async function askChoice<T extends string>(message: string, choices: readonly T[], defaultValue?: T): Promise<T> {
  const { select } = await import('@inquirer/prompts')
  return select({ message, choices: choices.map((value) => ({ value, name: value })), default: defaultValue }, { output: process.stderr })
}

/** Destructive actions need --yes, or a "yes" typed at a prompt. */
export async function confirmDestructive(message: string, yes: boolean): Promise<void> {
  if (yes) return
  if (!canPrompt()) throw usageError(`${message} needs confirmation.`, 'Pass --yes to confirm in a non-interactive run.')
  const { confirm } = await import('@inquirer/prompts')
  const answer = await confirm({ message: `${message}?`, default: false }, { output: process.stderr })
  if (!answer) throw new UserError('Cancelled; nothing was changed.', { code: 'failure' })
}
