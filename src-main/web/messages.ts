/**
 * The browser-mode wire format, checked before anything is used: a client message is a
 * JSON object `{ id, method, args }`; every other shape gets a BAD_REQUEST reply, never
 * an exception. The arguments themselves are validated by the backend's contract check.
 */
import type { ApiErrorData } from '../api/contract.js';

export type ServerReply = { type: 'reply'; id: number | null; ok: true; result: unknown } | { type: 'reply'; id: number | null; ok: false; error: ApiErrorData };

export interface ClientMessage {
  id: number | null;
  method: string;
  args: unknown[];
}

type RawMessage = Buffer | ArrayBuffer | Buffer[];

export function parseClientMessage(data: RawMessage, isBinary: boolean): { ok: true; message: ClientMessage } | { ok: false; reply: ServerReply } {
  const refuse = (id: number | null, message: string) => ({ ok: false as const, reply: errorReply(id, 'BAD_REQUEST', message) });
  if (isBinary) return refuse(null, 'Binary messages are not part of the API: send the JSON text of a call.');
  let value: unknown;
  try {
    value = JSON.parse(toBuffer(data).toString('utf8'));
  } catch {
    return refuse(null, 'Message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(null, 'A message is a JSON object: { "id": 1, "method": "echo", "args": ["text"] }.');
  const fields = value as Record<string, unknown>;
  const id = typeof fields.id === 'number' && Number.isSafeInteger(fields.id) && fields.id >= 0 ? fields.id : null;
  if (fields.id !== undefined && id === null) return refuse(null, 'The message id must be a whole number of 0 or more.');
  if (typeof fields.method !== 'string' || fields.method.length === 0 || fields.method.length > 100) return refuse(id, 'The message names no method.');
  const args = fields.args === undefined ? [] : fields.args;
  if (!Array.isArray(args)) return refuse(id, 'The message args must be an array.');
  return { ok: true, message: { id, method: fields.method, args } };
}

/**
 * The answer to a message over the size limit. Its id is read from the message's first
 * bytes (the bridge writes it first), so the waiting call fails with the reason.
 */
export function tooLargeReply(data: RawMessage, size: number, limit: number): ServerReply {
  const head = toBuffer(data).subarray(0, 64).toString('latin1');
  const match = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(head);
  return errorReply(
    match ? Number(match[1]) : null,
    'MESSAGE_TOO_LARGE',
    `A message of ${size} bytes is over the ${Math.round(limit / 1024 / 1024)} MiB limit of one call; large files are sent in chunks (beginImport, importChunk, finishImport).`,
  );
}

function errorReply(id: number | null, code: string, message: string): ServerReply {
  return { type: 'reply', id, ok: false, error: { code, message } };
}

function toBuffer(data: RawMessage): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}
