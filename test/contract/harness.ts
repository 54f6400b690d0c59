/**
 * What the conformance suite needs from a provider's test setup. One harness
 * per provider (test/contract/<kind>.test.ts); the suite (suite.ts) is
 * written once and runs against each. Azure, GCP and Kubernetes add a file
 * each, implementing this against their fakes or clusters.
 */
import type { Manifest, ProviderKind } from '../../src/manifest/schema.js'
import type { Provider, ProviderSettings } from '../../providers/provider.js'

export interface ContractProject {
  manifest: Manifest
  /** folder of the manifest: build contexts resolve from here */
  dir: string
  targetName: string
  /** the service the suite deploys, scales and updates: it has a port, a health path and an autoscale block */
  service: string
}

export interface FaultyProvider {
  provider: Provider
  /** how many failures the target's endpoint gave before answering */
  injected(): number
  close(): Promise<void>
}

export interface ContractHarness {
  kind: ProviderKind
  /** once before the suite: engines or emulators, a fresh project; after it, everything removed */
  setUp(): Promise<void>
  tearDown(): Promise<void>
  project(): ContractProject
  /** a provider for the project's current manifest; `settings` on top of the harness's fast ones */
  open(settings?: ProviderSettings): Promise<Provider>
  /** changes what the service runs, so the next plan updates it to a new version */
  changeVersion(): void
  /** makes the next version one that never turns healthy; the returned function makes it healthy again */
  neverHealthy(): Promise<() => Promise<void>>
  /**
   * What answers for the service now, as the target itself shows it (docker:
   * the bodies its endpoint returns; aws: the healthy targets behind its load
   * balancer), to compare before and after a failed rollout.
   */
  serving(endpoint: string | undefined): Promise<string[]>
  /** a provider whose endpoint fails the next `failures` calls transiently (throttling, 5xx, dropped connections) */
  withTransientFaults(failures: number): Promise<FaultyProvider>
  /** a provider whose target refuses its credentials */
  withRefusedCredentials(): Promise<FaultyProvider>
  /** a provider whose endpoint nothing answers */
  unreachable(): Promise<Provider>
  /** puts load figures where the provider reads metrics, when the target has none of its own (an emulator) */
  recordMetrics?(service: string): Promise<void>
  /** puts spend where a provider whose spend comes from its API reads it (descriptor spend.source: provider) */
  recordSpend?(period: { start: string; end: string }): Promise<void>
  /** everything labelled with the project, as the target lists it (not through the provider): empty after destroy */
  labelled(): Promise<string[]>
}
