export * from './events.generated.js';
export { topics, topicSchemas, dlqTopic, valueSubject, entityKey, type Topic, type TopicEvents } from './topics.js';
export { createSerde, type Serde, type SerdeOptions } from './serde.js';
export { ContractError, contractErrorCodes, type ContractErrorCode } from './contract-error.js';
export { isBackwardCompatible } from './compatibility.js';
