/**
 * What every strato command shares: --json as the returned value, one exit
 * code table, user errors printed as "what went wrong" plus "how to fix it",
 * bugs with their stack when STRATO_DEBUG is set.
 */
import { Command, Flags } from '@oclif/core'
import { errorToJson, exitCodeFor, usageError, UserError, type ExitCodeName } from '../src/errors.js'
import { createRequire } from 'node:module'
import type { LoadedManifest } from '../src/manifest/load.js'
import { stderrProgress } from './progress.js'
import { colorEnabled, createStyle, type Style } from './style.js'

const lazyRequire = createRequire(import.meta.url)

export const manifestFlag = Flags.string({
  char: 'f',
  summary: 'Path to strato.yaml (default: ./strato.yaml, searched upwards like git).',
  helpValue: 'PATH',
})

export const targetFlag = Flags.string({
  char: 't',
  summary: 'Only act on this target from strato.yaml.',
  helpValue: 'NAME',
})

export const yesFlag = Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation of destructive actions.' })

/** A numeric flag value, or a usage error naming the flag and what was given. */
export function numberFlag(name: string, raw: string): number {
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value)) throw usageError(`--${name} must be a number, got "${raw}".`, `Pass a number, e.g. --${name} 0.7.`)
  return value
}

export abstract class StratoCommand extends Command {
  static override enableJsonFlag = true
  /** The exit codes this command can end with, listed in its --help; every command declares its own. */
  static exitCodes: readonly ExitCodeName[] = ['ok', 'failure', 'usage']

  /** colours for stdout */
  protected get style(): Style {
    return createStyle(!this.jsonEnabled() && colorEnabled(process.stdout))
  }

  /** colours for stderr */
  protected get errStyle(): Style {
    return createStyle(colorEnabled(process.stderr))
  }

  protected progress() {
    return stderrProgress()
  }

  /**
   * Finds, reads and validates the manifest, including what each target's
   * provider can do (its descriptor): every manifest-reading command starts
   * here, so an impossible manifest stops before anything runs (exit 2).
   */
  protected loadManifest(flag: string | undefined): LoadedManifest {
    // Loaded on first use: yaml and zod cost ~50 ms, which commands without a manifest should not pay.
    const { loadManifestFile, resolveManifestPath } = lazyRequire('../src/manifest/load.js') as typeof import('../src/manifest/load.js')
    const { descriptorOf } = lazyRequire('../providers/descriptors.js') as typeof import('../providers/descriptors.js')
    const file = resolveManifestPath(flag, process.cwd())
    return loadManifestFile(file, undefined, descriptorOf)
  }

  /** Data for a person on stdout; silent under --json (the returned value is printed instead). */
  protected out(text = ''): void {
    if (!this.jsonEnabled()) process.stdout.write(`${text}\n`)
  }

  override async catch(error: Error & { oclif?: { exit?: number }; code?: string }): Promise<void> {
    const code = exitCodeFor(error)
    process.exitCode = code
    // this.exit(n) throws to unwind; it is not an error to report.
    if (error.code === 'EEXIT') {
      process.exitCode = error.oclif?.exit ?? code
      return
    }
    if (this.jsonEnabled()) {
      this.logJson(errorToJson(error))
      return
    }
    const style = this.errStyle
    if (error instanceof UserError) {
      const lines = [`${style.red('Error:')} ${error.message}`]
      for (const detail of error.options.details ?? []) lines.push(`  ${detail}`)
      if (error.fix) lines.push(`${style.bold('Fix:')} ${error.fix}`)
      process.stderr.write(`${lines.join('\n')}\n`)
      return
    }
    if (error.oclif) {
      const message = error.message.replace(/\n?See more help with --help\s*$/, '')
      process.stderr.write(`${style.red('Error:')} ${message}\n${style.bold('Fix:')} See \`strato ${this.id?.replaceAll(':', ' ') ?? ''} --help\`.\n`)
      return
    }
    process.stderr.write(`${style.red('Bug:')} ${error.message}\n`)
    process.stderr.write(process.env.STRATO_DEBUG ? `${error.stack}\n` : 'This is a bug in strato. Run again with STRATO_DEBUG=1 for the stack trace, and report it.\n')
  }
}
