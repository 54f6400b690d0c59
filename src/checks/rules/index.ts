/** Every rule strato knows, in pack order. Ids are stable: never renumber or reuse one. */
import type { Rule } from '../types.js'
import { awsRules } from './aws.js'
import { azureRules } from './azure.js'
import { coreRules } from './core.js'
import { dockerLiveRules } from './docker-live.js'
import { dockerfileRules } from './dockerfile.js'
import { gcpRules } from './gcp.js'
import { kubernetesRules } from './kubernetes.js'
import { secretRules } from './secrets.js'
import { serviceRules } from './services.js'

export const ALL_RULES: readonly Rule[] = [
  ...dockerfileRules, ...serviceRules, ...secretRules,
  ...dockerLiveRules, ...awsRules, ...azureRules, ...gcpRules, ...kubernetesRules,
  ...coreRules,
]

const byId = new Map(ALL_RULES.map((rule) => [rule.id, rule]))

export function ruleById(id: string): Rule | undefined {
  return byId.get(id.toUpperCase())
}
