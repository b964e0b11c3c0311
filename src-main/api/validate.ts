import { z } from 'zod';
import { API_METHODS, type ApiMethod, type WincApi } from './contract.js';

/**
 * Argument schemas for every API method: the main-side boundary validates each
 * payload before a handler sees it, whichever transport carried it.
 */
const argumentSchemas = {
  getAppInfo: z.tuple([]),
  echo: z.tuple([z.string().max(10_000)]),
} satisfies { [K in ApiMethod]: z.ZodType<Parameters<WincApi[K]>> };

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

export function validateCall<M extends ApiMethod>(method: M, args: unknown): Parameters<WincApi[M]> {
  const schema = argumentSchemas[method] as unknown as z.ZodType<Parameters<WincApi[M]>>;
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ');
    throw new ApiError('BAD_REQUEST', `Invalid arguments for ${method}: ${detail}`);
  }
  return parsed.data;
}
