/**
 * An incremental HTTP/1.1 response reader for the simulated module: status line and headers,
 * then a Content-Length, chunked or read-to-close body. Bytes after the end of one response stay
 * in `leftover` (the start of the next response on a kept-alive connection).
 */

export interface HttpResponseHead {
  status: number;
  statusLine: string;
  /** undefined: no Content-Length (chunked, or read to close). */
  contentLength?: number;
  chunked: boolean;
  /** The server keeps the connection open after this response (HTTP/1.1 without "Connection: close"). */
  keepAlive: boolean;
}

export class HttpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

const MAX_HEADER_BYTES = 8 * 1024;

type BodyState =
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-end' }
  | { kind: 'trailers' }
  | { kind: 'to-close' };

export class HttpResponseReader {
  head: HttpResponseHead | undefined;
  done = false;
  /** Body bytes delivered so far. */
  received = 0;
  private pending: Buffer = Buffer.alloc(0);
  private body: BodyState | undefined;

  /** Bytes that arrived after the end of this response. */
  get leftover(): Buffer {
    return this.done ? this.pending : Buffer.alloc(0);
  }

  /** Feeds bytes from the connection; returns the body bytes they carried. */
  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    if (!this.head && !this.readHead()) return out;
    while (!this.done) {
      const part = this.step();
      if (part === undefined) break;
      if (part.length > 0) {
        out.push(part);
        this.received += part.length;
      }
    }
    return out;
  }

  /** The peer closed: ends a read-to-close body; throws if the response was cut short. */
  end(): void {
    if (this.done) return;
    if (this.body?.kind === 'to-close') {
      this.done = true;
      return;
    }
    throw new HttpProtocolError(
      !this.head
        ? 'connection closed before an HTTP response'
        : this.head.contentLength !== undefined
          ? `connection closed after ${this.received} of ${this.head.contentLength} bytes`
          : 'connection closed inside a chunked body',
    );
  }

  private readHead(): boolean {
    const end = this.pending.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.pending.length > MAX_HEADER_BYTES) throw new HttpProtocolError(`HTTP response headers longer than ${MAX_HEADER_BYTES} bytes`);
      return false;
    }
    const lines = this.pending.subarray(0, end).toString('latin1').split('\r\n');
    this.pending = this.pending.subarray(end + 4);
    const statusLine = lines[0] ?? '';
    const match = /^HTTP\/1\.([01]) (\d{3})/.exec(statusLine);
    if (!match) throw new HttpProtocolError(`not an HTTP response: "${statusLine.slice(0, 60)}"`);
    const header = (name: string): string | undefined =>
      lines
        .slice(1)
        .find((l) => l.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    const chunked = /chunked/i.test(header('transfer-encoding') ?? '');
    const lengthText = header('content-length');
    const contentLength = !chunked && lengthText !== undefined ? Number(lengthText) : undefined;
    if (contentLength !== undefined && (!Number.isInteger(contentLength) || contentLength < 0)) throw new HttpProtocolError(`bad Content-Length "${lengthText}"`);
    const connection = (header('connection') ?? '').toLowerCase();
    const http11 = match[1] === '1';
    const framed = chunked || contentLength !== undefined;
    this.head = {
      status: Number(match[2]),
      statusLine,
      chunked,
      keepAlive: framed && (http11 ? !connection.includes('close') : connection.includes('keep-alive')),
      ...(contentLength !== undefined ? { contentLength } : {}),
    };
    this.body = chunked ? { kind: 'chunk-size' } : contentLength !== undefined ? { kind: 'length', left: contentLength } : { kind: 'to-close' };
    if (contentLength === 0) this.done = true;
    return true;
  }

  /** One parsing step: body bytes (maybe empty) when progress was made, undefined when more input is needed. */
  private step(): Buffer | undefined {
    const body = this.body!;
    switch (body.kind) {
      case 'length':
      case 'chunk-data': {
        if (this.pending.length === 0) return undefined;
        const take = Math.min(body.left, this.pending.length);
        const part = this.pending.subarray(0, take);
        this.pending = this.pending.subarray(take);
        body.left -= take;
        if (body.left === 0) {
          if (body.kind === 'length') this.done = true;
          else this.body = { kind: 'chunk-end' };
        }
        return part;
      }
      case 'to-close': {
        const part = this.pending;
        this.pending = Buffer.alloc(0);
        return part.length > 0 ? part : undefined;
      }
      case 'chunk-size': {
        const line = this.line();
        if (line === undefined) return undefined;
        const size = parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0 || !/^[0-9a-fA-F]/.test(line)) throw new HttpProtocolError(`bad chunk size "${line.slice(0, 20)}"`);
        this.body = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: size };
        return Buffer.alloc(0);
      }
      case 'chunk-end': {
        const line = this.line();
        if (line === undefined) return undefined;
        if (line !== '') throw new HttpProtocolError('chunk not followed by CRLF');
        this.body = { kind: 'chunk-size' };
        return Buffer.alloc(0);
      }
      case 'trailers': {
        const line = this.line();
        if (line === undefined) return undefined;
        if (line === '') this.done = true;
        return Buffer.alloc(0);
      }
    }
  }

  private line(): string | undefined {
    const eol = this.pending.indexOf('\r\n');
    if (eol < 0) {
      if (this.pending.length > MAX_HEADER_BYTES) throw new HttpProtocolError('chunk line too long');
      return undefined;
    }
    const text = this.pending.subarray(0, eol).toString('latin1');
    this.pending = this.pending.subarray(eol + 2);
    return text;
  }
}
