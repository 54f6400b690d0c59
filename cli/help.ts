/**
 * strato's help: topics matched by prefix (oclif's Help treats "scale" as a
 * topic because "autoscale:apply" contains "scale:"), and every command's
 * exit codes, from the one exit-code table and the codes the command declares.
 */
import type { Command } from '@oclif/core'
import { Help } from '@oclif/core/help'
import { EXIT_CODE_MEANINGS, ExitCode, type ExitCodeName } from '../src/errors.js'

/** The EXIT CODES section for the codes a command can end with, lowest first. */
export function exitCodeSection(codes: readonly ExitCodeName[]): string {
  const sorted = [...new Set(codes)].sort((a, b) => ExitCode[a] - ExitCode[b])
  return ['EXIT CODES', ...sorted.map((name) => `  ${ExitCode[name]}  ${EXIT_CODE_MEANINGS[name]}`)].join('\n')
}

export default class StratoHelp extends Help {
  protected override get sortedTopics() {
    const topics = this.config.topics.filter((topic) =>
      !topic.hidden && this.config.topics.some((other) => other.name.startsWith(`${topic.name}:`)))
    return topics.sort((a, b) => a.name.localeCompare(b.name))
  }

  protected override formatCommand(command: Command.Loadable): string {
    const codes = (command as Command.Loadable & { exitCodes?: ExitCodeName[] }).exitCodes
    const help = super.formatCommand(command)
    return codes?.length ? `${help.trimEnd()}\n\n${exitCodeSection(codes)}\n` : help
  }
}
