/**
 * Docker targets have no native autoscaler: strato's controller
 * (`strato autoscale run`) drives them. Their "native" form is the policy the
 * controller runs, normalised (durations in seconds, defaults filled in).
 * Pure and golden-tested like every provider's compiler.
 */
import type { CompileAutoscaling } from '../../src/autoscaling/compile.js'
import { controllerPolicy } from '../../src/autoscaling/policy.js'

export const compileAutoscaling: CompileAutoscaling = ({ service, policy }) => ({
  driver: 'controller',
  runBy: 'strato autoscale run',
  service,
  policy: controllerPolicy(policy),
})
