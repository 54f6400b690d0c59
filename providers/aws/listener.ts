/**
 * The shared balancer's listener rules on AWS: reading them back (which
 * service each serves is the target group it forwards to) and applying the
 * changes listener-rules.ts plans.
 */
import {
  CreateRuleCommand, DeleteRuleCommand, DescribeListenersCommand, DescribeRulesCommand, ModifyRuleCommand, SetRulePrioritiesCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { UserError } from '../../src/errors.js'
import type { AwsClients } from './clients.js'
import { isAwsError } from './errors.js'
import type { ExistingRule, RuleChanges } from './listener-rules.js'
import { stratoTags } from './naming.js'
import { LISTENER_PORT } from './security-group.js'

/** The target group a rule forwards to (either way the API spells it). */
export function forwardTarget(rule: Pick<Rule, 'Actions'>): string | undefined {
  const forward = rule.Actions?.find((action) => action.Type === 'forward')
  return forward?.TargetGroupArn ?? forward?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn
}

/** The balancer's HTTP listener and its rules (the default rule left out). */
export async function readListener(clients: AwsClients, balancerArn: string): Promise<{ listenerArn?: string; rules: Rule[] }> {
  const listeners = await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: balancerArn }))
  const listenerArn = listeners.Listeners?.find((listener) => listener.Port === LISTENER_PORT)?.ListenerArn
  if (!listenerArn) return { rules: [] }
  const rules: Rule[] = []
  let marker: string | undefined
  do {
    const page = await clients.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: 400 }))
    rules.push(...(page.Rules ?? []).filter((rule) => !rule.IsDefault))
    marker = page.NextMarker
  } while (marker)
  return { listenerArn, rules }
}

/** Rules as listener-rules.ts reads them, each with the service whose target group it forwards to. */
export function existingRules(rules: Rule[], serviceOfTargetGroup: (arn: string) => string | undefined): ExistingRule[] {
  return rules.map((rule) => {
    const target = forwardTarget(rule)
    return { arn: rule.RuleArn!, priority: Number(rule.Priority), service: target ? serviceOfTargetGroup(target) : undefined, conditions: rule.Conditions ?? [] }
  })
}

/** Applies planned rule changes: duplicates out, conditions in place, priorities (parked first when taken), then new rules. */
export async function applyRuleChanges(clients: AwsClients, input: { project: string; listenerArn: string; changes: RuleChanges; targetGroups: Map<string, string> }): Promise<void> {
  const { changes } = input
  const forward = (service: string) => [{ Type: 'forward' as const, TargetGroupArn: input.targetGroups.get(service)! }]
  for (const arn of changes.remove) await deleteRule(clients, arn)
  for (const change of changes.modify) {
    await clients.elb.send(new ModifyRuleCommand({ RuleArn: change.arn, Conditions: change.conditions, Actions: forward(change.service) }))
  }
  if (changes.parked.length) await clients.elb.send(new SetRulePrioritiesCommand({ RulePriorities: changes.parked.map((move) => ({ RuleArn: move.arn, Priority: move.priority })) }))
  if (changes.moves.length) await clients.elb.send(new SetRulePrioritiesCommand({ RulePriorities: changes.moves.map((move) => ({ RuleArn: move.arn, Priority: move.priority })) }))
  for (const rule of changes.create) {
    try {
      await clients.elb.send(new CreateRuleCommand({
        ListenerArn: input.listenerArn, Priority: rule.priority, Conditions: rule.conditions, Actions: forward(rule.service),
        Tags: stratoTags(input.project, rule.service, 'listener-rule'),
      }))
    } catch (error) {
      if (!isAwsError(error, 'PriorityInUse', 'PriorityInUseException')) throw error
      throw new UserError(`Priority ${rule.priority} on the shared load balancer's listener is taken by a rule strato did not make, so ${rule.service} cannot be routed.`, {
        code: 'conflict',
        fix: 'Delete that rule, or move it to a priority above the number of services, then deploy again.',
      })
    }
  }
}

export async function deleteRule(clients: AwsClients, arn: string): Promise<void> {
  try {
    await clients.elb.send(new DeleteRuleCommand({ RuleArn: arn }))
  } catch (error) {
    if (!isAwsError(error, 'RuleNotFound', 'RuleNotFoundException')) throw error
  }
}
