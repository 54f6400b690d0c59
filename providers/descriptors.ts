/**
 * Every provider kind's descriptor, by kind. Cheap to import (no SDK, no
 * engine): the cli layer passes `descriptorOf` to the manifest loader, plan,
 * cost, doctor and the commands, which ask it rather than the kind.
 */
import type { DescriptorLookup, ProviderDescriptor } from '../src/capabilities.js'
import type { ProviderKind } from '../src/manifest/schema.js'
import { awsDescriptor } from './aws/descriptor.js'
import { azureDescriptor } from './azure/descriptor.js'
import { dockerDescriptor } from './docker/descriptor.js'
import { gcpDescriptor } from './gcp/descriptor.js'
import { kubernetesDescriptor } from './kubernetes/descriptor.js'

export const DESCRIPTORS: Readonly<Record<ProviderKind, ProviderDescriptor>> = {
  docker: dockerDescriptor,
  aws: awsDescriptor,
  azure: azureDescriptor,
  gcp: gcpDescriptor,
  kubernetes: kubernetesDescriptor,
}

export const descriptorOf: DescriptorLookup = (kind) => DESCRIPTORS[kind]
