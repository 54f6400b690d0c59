/**
 * Moving a deployed service behind the target's shared balancer without a
 * moment in which no healthy balancer fronts it: its group registers its
 * instances with the service's target group behind the shared balancer
 * (whose rule is already in place), and only once they pass that target
 * group's health check is the balancer it had to itself removed, with its
 * target group and security group. Request-count scaling is pointed at the
 * shared balancer before the old one goes. If the instances never turn
 * healthy there, the group leaves the new target group again and the old
 * balancer keeps serving.
 */
import { UserError } from '../../src/errors.js'
import type { Progress } from '../../src/model.js'

/** What a move needs from the cloud; the provider passes the real calls, tests pass a fake that records them. */
export interface MoveOps {
  /** the group registers its instances with the service's target group behind the shared balancer */
  attach(): Promise<void>
  detach(): Promise<void>
  /** resolves once the group's in-service instances are healthy in that target group; throws a UserError when they are not in time */
  waitHealthy(): Promise<void>
  /** points request-count scaling at the shared balancer; returns what it rewrote */
  relabelScaling(): Promise<string[]>
  deleteOwnBalancer(): Promise<void>
  detachOwnTargetGroup(): Promise<void>
  deleteOwnTargetGroup(): Promise<void>
  /** drops the instances' ingress from the old balancer's group, then deletes that group */
  deleteOwnSecurityGroup(): Promise<void>
}

export interface MoveState {
  service: string
  /** the group does not yet register with its target group behind the shared balancer */
  attach: boolean
  /** what is left of the service's own balancer */
  own: { balancer: boolean; targetGroup: boolean; targetGroupAttached: boolean; securityGroup: boolean }
}

/** Whether a service has anything to move: not yet behind the shared balancer, or something of its own balancer left. */
export function needsMove(state: MoveState): boolean {
  return state.attach || Object.values(state.own).some(Boolean)
}

export async function moveToSharedBalancer(ops: MoveOps, state: MoveState, progress: Progress): Promise<void> {
  const { service, own } = state
  if (state.attach) {
    progress.step(`${service}: registering its instances with the shared load balancer`)
    await ops.attach()
  }
  // A balancer of its own goes only when the shared one serves the service, even when an earlier run attached it.
  if (state.attach || own.balancer) {
    try {
      await ops.waitHealthy()
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      if (state.attach) await ops.detach()
      throw new UserError(`${service} did not turn healthy behind the shared load balancer, so it stays where it was${own.balancer ? ', on its own load balancer' : ''}.`, {
        code: 'failure',
        details: [error.message],
        fix: 'Check that the shared load balancer\'s security group may reach the instances on the service port and that the health path answers, then deploy again.',
      })
    }
  }
  const relabelled = await ops.relabelScaling()
  if (relabelled.length) progress.step(`${service}: request-count scaling now reads the shared load balancer (${relabelled.join(', ')})`)
  if (own.balancer) {
    progress.step(`${service}: healthy behind the shared load balancer; removing its own`)
    await ops.deleteOwnBalancer()
  }
  if (own.targetGroupAttached) await ops.detachOwnTargetGroup()
  if (own.targetGroup) await ops.deleteOwnTargetGroup()
  if (own.securityGroup) await ops.deleteOwnSecurityGroup()
}
