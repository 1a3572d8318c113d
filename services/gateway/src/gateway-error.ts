export const gatewayErrorCodes = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type GatewayErrorCode = (typeof gatewayErrorCodes)[number];

/** The one code-to-HTTP-status table of the gateway. */
export const httpStatus: Record<GatewayErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/** Base error of the gateway; rendered as `{ error: { code, message, details } }`. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;
  constructor(code: GatewayErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown; retriable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.details = options.details ?? {};
    this.retriable = options.retriable ?? false;
  }
}
