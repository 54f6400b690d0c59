/**
 * The provider conformance suite, written once: every built provider runs it
 * through its harness (test/contract/<kind>.test.ts). It drives the Provider
 * interface as the commands do (plan with the core, then apply), in order:
 * empty inventory, deploy, a second deploy that changes nothing, scale,
 * update, a version that never turns healthy, releases and rollback, logs,
 * metrics, facts, autoscaling, spend, transient errors, refused credentials,
 * an unreachable endpoint, destroy. A capability the provider's descriptor
 * does not declare is not skipped: its test asserts the "not supported yet"
 * answer (exit 7) and prints the descriptor's reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runHybridController } from '../../src/autoscaling/hybrid-controller.js'
import { controllerPolicy } from '../../src/autoscaling/policy.js'
import { controllerPort } from '../../src/autoscaling/provider-port.js'
import { requireVerb, VERBS, type Refusal, type Verb } from '../../src/capabilities.js'
import { FACT_KINDS } from '../../src/checks/facts.js'
import { UserError, type ExitCodeName } from '../../src/errors.js'
import { effectiveTargets } from '../../src/manifest/defaults.js'
import { runningReplicas, silentProgress, type Action, type Resource } from '../../src/model.js'
import { planProject, serviceVersions } from '../../src/planning/project-plan.js'
import { descriptorOf } from '../../providers/descriptors.js'
import type { Provider } from '../../providers/provider.js'
import type { ContractHarness } from './harness.js'

/** Rejects with a UserError of this code (and its exit code), or fails the test. */
async function expectUserError(work: Promise<unknown>, code: ExitCodeName, exitCode: number): Promise<UserError> {
  const error = await work.then(() => undefined, (caught: unknown) => caught)
  expect(error, `expected a UserError with code ${code}`).toBeInstanceOf(UserError)
  expect((error as UserError).options.code).toBe(code)
  expect((error as UserError).exitCode).toBe(exitCode)
  return error as UserError
}

export function providerContract(harness: ContractHarness): void {
  const descriptor = descriptorOf(harness.kind)
  const refusals = VERBS.filter((verb) => descriptor.verbs[verb] !== true).map((verb) => [verb, descriptor.verbs[verb] as Refusal] as const)

  async function using<T>(work: (provider: Provider) => Promise<T>): Promise<T> {
    const provider = await harness.open()
    try {
      return await work(provider)
    } finally {
      await provider.close()
    }
  }

  async function plan(provider: Provider): Promise<Action[]> {
    const { manifest, dir, targetName } = harness.project()
    const inventory = await provider.inventory(manifest.name)
    return planProject(manifest, effectiveTargets(manifest), [targetName], serviceVersions(manifest, dir), { [targetName]: inventory }).actions
  }

  const replicas = async (provider: Provider): Promise<Resource[]> => {
    const { manifest, service } = harness.project()
    return runningReplicas(await provider.inventory(manifest.name), service)
  }

  const wanted = () => harness.project().manifest.services[harness.project().service].replicas ?? 1
  const state: { endpoint?: string; versions: string[] } = { versions: [] }

  describe(`${descriptor.title} provider contract`, () => {
    beforeAll(() => harness.setUp())
    afterAll(() => harness.tearDown())

    it('starts from an empty inventory', async () => {
      const inventory = await using((provider) => provider.inventory(harness.project().manifest.name))
      expect(inventory.filter((resource) => resource.kind !== 'host')).toEqual([])
    })

    it('deploys: creates the planned replicas of the planned version and reports endpoints', async () => {
      const { service } = harness.project()
      await using(async (provider) => {
        const actions = await plan(provider)
        const create = actions.find((action) => action.service === service)!
        expect(create).toMatchObject({ kind: 'create', to: wanted() })
        const result = await provider.apply(actions, silentProgress)
        expect(result.applied.map((action) => [action.service, action.kind])).toContainEqual([service, 'create'])
        expect(result.endpoints[service]).toMatch(/^https?:\/\/\S+$/)
        state.endpoint = result.endpoints[service]
        state.versions.push(create.toVersion!)
        const running = await replicas(provider)
        expect(running).toHaveLength(wanted())
        expect(new Set(running.map((replica) => replica.version))).toEqual(new Set([create.toVersion]))
        const inventory = await provider.inventory(harness.project().manifest.name)
        expect(inventory.some((resource) => resource.service === service && resource.endpoint === state.endpoint), 'the inventory reports the endpoint deploy returned').toBe(true)
      })
    })

    it('changes nothing on a second deploy of the same manifest', async () => {
      await using(async (provider) => {
        const before = (await replicas(provider)).map((replica) => replica.id).sort()
        const actions = await plan(provider)
        expect(actions.map((action) => action.kind)).toEqual(actions.map(() => 'noop'))
        const result = await provider.apply(actions, silentProgress)
        expect(result.applied).toEqual([])
        expect((await replicas(provider)).map((replica) => replica.id).sort()).toEqual(before)
      })
    })

    it('scales up and back down, keeping the version', async () => {
      const { service } = harness.project()
      await using(async (provider) => {
        await provider.scale(service, wanted() + 1)
        const up = await replicas(provider)
        expect(up).toHaveLength(wanted() + 1)
        expect(new Set(up.map((replica) => replica.version))).toEqual(new Set([state.versions.at(-1)]))
        await provider.scale(service, wanted())
        expect(await replicas(provider)).toHaveLength(wanted())
      })
    })

    it('updates to a new version: every replica replaced, the count kept', async () => {
      harness.changeVersion()
      await using(async (provider) => {
        const actions = await plan(provider)
        const update = actions.find((action) => action.service === harness.project().service)!
        expect(update).toMatchObject({ kind: 'update', fromVersion: state.versions.at(-1) })
        await provider.apply(actions, silentProgress)
        const running = await replicas(provider)
        expect(running).toHaveLength(wanted())
        expect(new Set(running.map((replica) => replica.version))).toEqual(new Set([update.toVersion]))
        state.versions.push(update.toVersion!)
      })
    })

    if (descriptor.rollout.healthGatedRollback) {
      it('rolls back a version that never turns healthy, and the old one keeps serving', async () => {
        const before = await harness.serving(state.endpoint)
        expect(before.length).toBeGreaterThan(0)
        const restore = await harness.neverHealthy()
        try {
          await using(async (provider) => {
            await expectUserError(provider.apply(await plan(provider), silentProgress), 'failure', 1)
            const running = await replicas(provider)
            expect(running).toHaveLength(wanted())
            expect(new Set(running.map((replica) => replica.version))).toEqual(new Set([state.versions.at(-1)]))
          })
          expect(await harness.serving(state.endpoint)).toEqual(before)
        } finally {
          await restore()
        }
      })
    }

    if (descriptor.verbs.releases === true && descriptor.verbs.rollback === true) {
      it('lists the releases deployed, newest last, read back from the target', async () => {
        const { service } = harness.project()
        const history = await using((provider) => provider.releases())
        expect(history.length).toBeGreaterThanOrEqual(2)
        expect(history.map((release) => release.number)).toEqual([...history.map((release) => release.number)].sort((a, b) => a - b))
        expect(history.at(-1)!.services[service].version).toBe(state.versions.at(-1))
        expect(history.at(-2)!.services[service].version).toBe(state.versions.at(-2))
      })

      it('rolls back to the previous release through the same health-gated rollout', async () => {
        await using(async (provider) => {
          const result = await provider.rollback(undefined)
          expect(result.release).toBeGreaterThan(0)
          const running = await replicas(provider)
          expect(running).toHaveLength(wanted())
          expect(new Set(running.map((replica) => replica.version))).toEqual(new Set([state.versions.at(-2)]))
        })
        state.versions.push(state.versions.at(-2)!)
      })
    }

    if (descriptor.verbs.logs === true) {
      it('shows the last lines of the service\'s replicas', async () => {
        const lines: string[] = []
        await using((provider) => provider.logs(harness.project().service, { tail: 5, follow: false }, (line) => lines.push(line)))
        expect(lines.length).toBeGreaterThan(0)
      })
    }

    if (descriptor.verbs.metrics === true) {
      it('reports the service\'s recent CPU', async () => {
        const { service } = harness.project()
        await harness.recordMetrics?.(service)
        const samples = await using((provider) => provider.metrics(service, 600))
        const cpu = samples.filter((sample) => sample.metric === 'cpu')
        expect(cpu.length).toBeGreaterThan(0)
        for (const sample of cpu) {
          expect(Number.isFinite(sample.value)).toBe(true)
          expect(Number.isNaN(Date.parse(sample.at))).toBe(false)
        }
      })
    }

    if (descriptor.verbs.facts === true) {
      it('reports facts for the live checks, each of a known kind and of this target', async () => {
        const facts = await using((provider) => provider.facts())
        expect(facts.length).toBeGreaterThan(0)
        for (const fact of facts) {
          expect(FACT_KINDS as readonly string[]).toContain(fact.kind)
          expect(fact.target).toBe(harness.project().targetName)
        }
      })
    }

    if (descriptor.autoscaling.driver === 'native') {
      it('applies the native autoscaling policy, and applying it again changes nothing', async () => {
        const { manifest, service } = harness.project()
        const policy = manifest.services[service].autoscale!
        await using(async (provider) => {
          const first = await provider.applyAutoscaling(service, policy)
          expect(first.created.length).toBeGreaterThan(0)
          const again = await provider.applyAutoscaling(service, policy)
          expect({ created: again.created, updated: again.updated, deleted: again.deleted }).toEqual({ created: [], updated: [], deleted: [] })
          expect(again.unchanged.length).toBe(first.created.length + first.updated.length + first.unchanged.length)
        })
      })
    } else {
      it('is driven by strato\'s controller: one evaluation observes, decides and holds within bounds', async () => {
        const { manifest, service, targetName: target } = harness.project()
        const policy = controllerPolicy(manifest.services[service].autoscale!)
        const { decisions } = await using((provider) => runHybridController({
          services: { [service]: { policy, slots: [{ target }] } },
          ports: { [target]: controllerPort(provider, { project: manifest.name, target, windowSeconds: 60, versions: {}, progress: silentProgress }) },
          now: Date.now, sleep: async () => {}, log: () => {}, intervalMs: 0, rounds: 1,
        }))
        expect(decisions).toHaveLength(1)
        expect(decisions[0].current).toBe(wanted())
        expect(decisions[0].desired).toBeGreaterThanOrEqual(policy.min)
        expect(decisions[0].desired).toBeLessThanOrEqual(policy.max)
      })

      it('answers "not supported yet" (exit 7) to native autoscaling: strato\'s controller drives it', async () => {
        const { manifest, service } = harness.project()
        const error = await using((provider) => expectUserError(provider.applyAutoscaling(service, manifest.services[service].autoscale!), 'notSupported', 7))
        console.info(`${harness.kind}: native autoscaling not declared: ${error.message} ${error.fix ?? ''}`)
      })
    }

    if (descriptor.spend.source === 'provider') {
      it('reports actual spend by service from the provider', async () => {
        const period = { start: '2026-11-01', end: '2026-11-02', granularity: 'daily' as const }
        await harness.recordSpend?.(period)
        const lines = await using((provider) => provider.costs(period))
        expect(lines.length).toBeGreaterThan(0)
        for (const line of lines) expect(line).toMatchObject({ provider: harness.kind, target: harness.project().targetName })
        expect(lines.some((line) => line.service === harness.project().service && line.amount > 0)).toBe(true)
      })
    } else {
      it(`answers "not supported yet" (exit 7) to reported spend: it comes from ${descriptor.spend.source === 'model' ? 'the on-prem model' : 'FOCUS exports'}`, async () => {
        const error = await using((provider) => expectUserError(provider.costs({ start: '2026-11-01', end: '2026-11-02', granularity: 'daily' }), 'notSupported', 7))
        console.info(`${harness.kind}: reported spend not declared (${descriptor.spend.how}): ${error.message}`)
      })
    }

    for (const [verb, refusal] of refusals) {
      it(`answers "not supported yet" (exit 7) to ${verb}: ${refusal.reason}`, async () => {
        console.info(`${harness.kind}: ${verb} not declared: ${refusal.reason}; instead: ${refusal.instead}`)
        expect(() => requireVerb(descriptor, verb, harness.project().targetName)).toThrow(UserError)
        const error = await using((provider) => expectUserError(callVerb(provider, verb, harness.project().service), 'notSupported', 7))
        expect(error.message).toContain(refusal.reason)
      })
    }

    it('retries transient errors (throttling, 5xx, dropped connections) and then answers', async () => {
      const faulty = await harness.withTransientFaults(2)
      try {
        const running = runningReplicas(await faulty.provider.inventory(harness.project().manifest.name), harness.project().service)
        expect(running).toHaveLength(wanted())
        expect(faulty.injected()).toBe(2)
      } finally {
        await faulty.close()
      }
    })

    it('turns refused credentials into exit 5', async () => {
      const refused = await harness.withRefusedCredentials()
      try {
        await expectUserError(refused.provider.inventory(harness.project().manifest.name), 'denied', 5)
        expect(refused.injected()).toBeGreaterThan(0)
      } finally {
        await refused.close()
      }
    })

    it('turns an endpoint nothing answers into exit 4', async () => {
      const provider = await harness.unreachable()
      try {
        await expectUserError(provider.inventory(harness.project().manifest.name), 'unreachable', 4)
      } finally {
        await provider.close()
      }
    })

    it('destroys everything labelled with the project and proves it', async () => {
      const result = await using((provider) => provider.destroy({ volumes: true }))
      expect(result.remaining).toEqual([])
      expect(Object.values(result.removed).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0)
      expect(await harness.labelled()).toEqual([])
      const inventory = await using((provider) => provider.inventory(harness.project().manifest.name))
      expect(inventory.filter((resource) => resource.state !== 'stopped' && resource.kind !== 'host')).toEqual([])
    })
  })
}

/** Calls the provider method behind a verb, for the ones a descriptor may leave out. */
function callVerb(provider: Provider, verb: Verb, service: string): Promise<unknown> {
  switch (verb) {
    case 'releases': return provider.releases()
    case 'rollback': return provider.rollback(undefined)
    case 'logs': return provider.logs(service, { tail: 5, follow: false }, () => {})
    case 'metrics': return provider.metrics(service, 600)
    case 'facts': return provider.facts()
    case 'scale': return provider.scale(service, 1)
    case 'destroy': return provider.destroy({ volumes: false })
    case 'deploy': return provider.apply([], silentProgress)
  }
}
