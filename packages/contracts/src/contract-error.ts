export const contractErrorCodes = ['UNDECODABLE', 'UNKNOWN_SCHEMA', 'REGISTRY_UNAVAILABLE', 'INVALID_EVENT'] as const;
export type ContractErrorCode = (typeof contractErrorCodes)[number];

/** Base error of the contracts package; `retriable` tells the worker runtime whether to retry. */
export class ContractError extends Error {
  readonly code: ContractErrorCode;
  readonly retriable: boolean;
  constructor(code: ContractErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ContractError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}
