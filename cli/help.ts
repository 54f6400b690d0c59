/**
 * oclif's Help treats "scale" as a topic because "autoscale:apply" contains
 * "scale:". Match topic prefixes instead of substrings.
 */
import { Help } from '@oclif/core/help'

export default class StratoHelp extends Help {
  protected override get sortedTopics() {
    const topics = this.config.topics.filter((topic) =>
      !topic.hidden && this.config.topics.some((other) => other.name.startsWith(`${topic.name}:`)))
    return topics.sort((a, b) => a.name.localeCompare(b.name))
  }
}
