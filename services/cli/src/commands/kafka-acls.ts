import { kafkaClientOptions } from '@ragmesh/config';
import { dlqTopic, topics } from '@ragmesh/contracts';
import type { Logger } from '@ragmesh/telemetry';
import { createKafka } from '@ragmesh/worker-runtime';
import kafkajs, { type AclEntry } from 'kafkajs';
import type { CliConfig } from '../config.js';

// kafkajs is CommonJS: its enums come from the default export under ESM.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export const aclServices = ['gateway', 'chunk-embed', 'indexer', 'retriever'] as const;
export type AclService = (typeof aclServices)[number];

/** What one service may do: read or write these topics, join groups whose id starts with these. */
export interface ServiceGrant {
  read: string[];
  write: string[];
  groupPrefixes: string[];
}

/**
 * The least each service needs, as the services are configured. Group grants are prefixes, so a
 * re-index generation's group (`<group>-g<id>`) is covered. Nobody but an admin may create topics,
 * change configs or touch another service's topics.
 */
export function meshGrants(config: Pick<CliConfig, 'CHUNK_EMBED_GROUP_ID' | 'INDEXER_GROUP_ID' | 'RETRIEVER_GROUP_ID' | 'GATEWAY_REPLY_GROUP_ID'>): Record<AclService, ServiceGrant> {
  return {
    gateway: { read: [topics.queriesResponse], write: [topics.documentsIngest, topics.queriesRequest], groupPrefixes: [config.GATEWAY_REPLY_GROUP_ID] },
    'chunk-embed': { read: [topics.documentsIngest], write: [topics.vectorsUpsert, dlqTopic(topics.documentsIngest)], groupPrefixes: [config.CHUNK_EMBED_GROUP_ID] },
    indexer: { read: [topics.vectorsUpsert], write: [dlqTopic(topics.vectorsUpsert)], groupPrefixes: [config.INDEXER_GROUP_ID] },
    retriever: { read: [topics.queriesRequest], write: [topics.queriesResponse, dlqTopic(topics.queriesRequest)], groupPrefixes: [config.RETRIEVER_GROUP_ID] },
  };
}

function entries(principal: string, grant: ServiceGrant): AclEntry[] {
  const allow = { principal, host: '*', permissionType: AclPermissionTypes.ALLOW };
  return [
    ...grant.read.map((name) => ({ ...allow, resourceType: AclResourceTypes.TOPIC, resourceName: name, resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.READ })),
    ...grant.write.map((name) => ({ ...allow, resourceType: AclResourceTypes.TOPIC, resourceName: name, resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.WRITE })),
    ...grant.groupPrefixes.map((name) => ({ ...allow, resourceType: AclResourceTypes.GROUP, resourceName: name, resourcePatternType: ResourcePatternTypes.PREFIXED, operation: AclOperationTypes.READ })),
  ];
}

/**
 * Grants each service's principal (default `User:<service>`) exactly its ServiceGrant. Creating an
 * ACL that exists is a no-op, so this is safe to run on every deployment.
 */
export async function applyKafkaAcls(config: CliConfig, options: { principals: Partial<Record<AclService, string>>; logger: Logger }) {
  const grants = meshGrants(config);
  const acl = aclServices.flatMap((service) => entries(options.principals[service] ?? `User:${service}`, grants[service]));
  const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-cli'), logger: options.logger });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl });
  } finally {
    await admin.disconnect();
  }
  return aclServices.map((service) => ({ service, principal: options.principals[service] ?? `User:${service}`, ...grants[service] }));
}
