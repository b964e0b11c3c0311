/**
 * The TLS section's kept tail (flash-layout.ts TLS_KEPT_TAIL_SIZE): two 256-byte pages other tools
 * own. Microchip's IoT board firmware keeps the AWS IoT endpoint in the first and the AWS thing
 * name in the second, each a NUL-terminated string (winc-tls-client.md, "Pages other tools keep").
 */
import { isAll } from './bytes.js';
import { TLS_KEPT_PAGE_SIZE, TLS_KEPT_TAIL_SIZE } from './flash-layout.js';

export type KeptPageRole = 'endpoint' | 'thing-name';

export interface KeptPage {
  /** Offset within the section. */
  offset: number;
  size: number;
  role: KeptPageRole;
  erased: boolean;
  /** The page's string, when it holds one (printable ASCII up to a NUL or 0xFF). */
  text?: string;
}

const ROLE_LABEL: Record<KeptPageRole, string> = { endpoint: 'endpoint', 'thing-name': 'AWS thing name' };

function pageText(page: Uint8Array): string | undefined {
  let end = 0;
  while (end < page.length && page[end]! >= 0x20 && page[end]! < 0x7f) end++;
  if (end === 0 || (end < page.length && page[end] !== 0x00 && page[end] !== 0xff)) return undefined;
  return String.fromCharCode(...page.subarray(0, end));
}

/** The two kept pages of a TLS section (endpoint first, then thing name). */
export function keptTailPages(section: Uint8Array): KeptPage[] {
  const start = section.length - TLS_KEPT_TAIL_SIZE;
  const roles: KeptPageRole[] = ['endpoint', 'thing-name'];
  return roles.map((role, index) => {
    const offset = start + index * TLS_KEPT_PAGE_SIZE;
    const page = section.subarray(offset, offset + TLS_KEPT_PAGE_SIZE);
    const erased = isAll(page, 0xff);
    const text = erased ? undefined : pageText(page);
    return { offset, size: TLS_KEPT_PAGE_SIZE, role, erased, ...(text !== undefined ? { text } : {}) };
  });
}

/** One line per kept region: "kept: AWS thing name 'xyz'", "kept: endpoint '…'", "kept: 512 bytes". */
export function describeKeptTail(section: Uint8Array): { offset: number; size: number; label: string; erased: boolean }[] {
  const pages = keptTailPages(section);
  if (pages.every((p) => p.erased)) return [{ offset: pages[0]!.offset, size: TLS_KEPT_TAIL_SIZE, label: 'kept for other tools: 512 bytes (erased)', erased: true }];
  if (pages.every((p) => !p.erased && p.text === undefined)) return [{ offset: pages[0]!.offset, size: TLS_KEPT_TAIL_SIZE, label: `kept: ${TLS_KEPT_TAIL_SIZE} bytes`, erased: false }];
  return pages.map((p) => ({
    offset: p.offset,
    size: p.size,
    erased: p.erased,
    label: p.erased ? `kept for other tools: ${p.size} bytes (erased)` : p.text !== undefined ? `kept: ${ROLE_LABEL[p.role]} '${p.text}'` : `kept: ${p.size} bytes`,
  }));
}

/** `section` with its kept tail taken from `from` (the section as it is on the module). */
export function withKeptTail(section: Uint8Array, from: Uint8Array | undefined): Uint8Array {
  if (!from || from.length !== section.length) return section;
  const out = Uint8Array.from(section);
  out.set(from.subarray(from.length - TLS_KEPT_TAIL_SIZE), section.length - TLS_KEPT_TAIL_SIZE);
  return out;
}
