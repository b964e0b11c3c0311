/**
 * Works out what an arbitrary blob is: a root store section (and its
 * generation), a TLS store section, an erased section, or a whole flash image
 * holding both. Used by `winc-cert decode`; pure.
 */
import { isAll } from './bytes.js';
import { StoreError } from './errors.js';
import { getFlashLayout, type FlashLayout, type WincModule } from './flash-layout.js';
import { decodeRootSection, formatName, ROOT_PATTERN_V0, ROOT_PATTERN_V1, type DecodedRootStore } from './root-store.js';
import { decodeTlsSection, TLS_START_PATTERN, type DecodedTlsStore } from './tls-store.js';

export type SectionKindHint = 'root' | 'tls';

export interface DetectHints {
  module?: WincModule;
  /** Firmware version; used for flash-image offsets and to choose between look-alike formats. */
  firmware?: string;
  kind?: SectionKindHint;
}

export type DetectedSection =
  | { kind: 'root'; offset: number; generation: string; store: DecodedRootStore }
  | { kind: 'tls'; offset: number; generation: string; store: DecodedTlsStore }
  | { kind: 'error'; offset: number; section: SectionKindHint; code: string; message: string };

export interface DetectionResult {
  /** 'section' when the input is one section, 'flash-image' when both were cut from a whole image. */
  container: 'section' | 'flash-image';
  sections: DetectedSection[];
}

function startsWith(bytes: Uint8Array, pattern: Uint8Array): boolean {
  if (bytes.length < pattern.length) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[i] !== pattern[i]) return false;
  return true;
}

export function tlsGeneration(store: DecodedTlsStore, module: WincModule | undefined): string {
  if (module === 'winc3400') return 'WINC3400 (468-byte header)';
  return store.headerSize === 464 ? 'WINC1500 19.5.x (464-byte header)' : 'WINC1500 19.6+ (468-byte header)';
}

function layoutFor(hints: DetectHints): FlashLayout {
  const module = hints.module ?? 'winc1500';
  return getFlashLayout(module, hints.firmware ?? (module === 'winc3400' ? '1.4' : '19.6'));
}

/** Decodes `bytes` as whatever WINC section it is. Throws StoreError (SECTION_KIND_UNKNOWN, or the decoder's error). */
export function detectSection(bytes: Uint8Array, hints: DetectHints = {}): DetectionResult {
  const layout = layoutFor(hints);
  const isImage = bytes.length > layout.tlsStore.size && bytes.length >= layout.tlsStore.offset + layout.tlsStore.size && bytes.length % layout.sectorSize === 0;
  if (isImage && !hints.kind) {
    return {
      container: 'flash-image',
      sections: [
        guarded('root', layout.rootStore.offset, () => decodeRoot(bytes.subarray(layout.rootStore.offset, layout.rootStore.offset + layout.rootStore.size), hints, layout.rootStore.offset)),
        guarded('tls', layout.tlsStore.offset, () => decodeTls(bytes.subarray(layout.tlsStore.offset, layout.tlsStore.offset + layout.tlsStore.size), hints, layout, layout.tlsStore.offset)),
      ],
    };
  }
  const kind = hints.kind ?? guessKind(bytes, layout);
  return { container: 'section', sections: [kind === 'root' ? decodeRoot(bytes, hints, 0) : decodeTls(bytes, hints, layout, 0)] };
}

function guessKind(bytes: Uint8Array, layout: FlashLayout): SectionKindHint {
  if (startsWith(bytes, ROOT_PATTERN_V1) || startsWith(bytes, ROOT_PATTERN_V0)) return 'root';
  if (startsWith(bytes, TLS_START_PATTERN)) return 'tls';
  if (bytes.length > 0 && isAll(bytes, 0xff)) {
    if (bytes.length === layout.rootStore.size) return 'root';
    if (bytes.length === layout.tlsStore.size) return 'tls';
  }
  throw new StoreError(
    'SECTION_KIND_UNKNOWN',
    `Not a WINC certificate section: the first bytes (${Buffer.from(bytes.subarray(0, 16)).toString('hex')}) match neither the root store nor the TLS store start pattern. ` +
      'Check that the file was read from 0x4000 (root, 4 KiB) or 0x5000 (TLS, 8 KiB), or pass --kind root|tls.',
  );
}

function decodeRoot(bytes: Uint8Array, hints: DetectHints, offset: number): DetectedSection {
  let store: DecodedRootStore;
  if (hints.module) {
    store = decodeRootSection(bytes, { module: hints.module });
  } else if (startsWith(bytes, ROOT_PATTERN_V0)) {
    // The same pattern serves WINC1500 19.4 (V0) and WINC3400: take whichever decodes cleanly, V0 first.
    try {
      store = decodeRootSection(bytes, { module: 'winc1500' });
    } catch (v0Error) {
      try {
        store = decodeRootSection(bytes, { module: 'winc3400' });
      } catch {
        throw v0Error;
      }
    }
  } else {
    store = decodeRootSection(bytes);
  }
  return { kind: 'root', offset, generation: formatName(store.format), store };
}

function decodeTls(bytes: Uint8Array, hints: DetectHints, layout: FlashLayout, offset: number): DetectedSection {
  const store = decodeTlsSection(bytes, hints.firmware ? layout : { tlsStore: layout.tlsStore });
  return { kind: 'tls', offset, generation: tlsGeneration(store, hints.module), store };
}

function guarded(section: SectionKindHint, offset: number, run: () => DetectedSection): DetectedSection {
  try {
    return run();
  } catch (error) {
    if (error instanceof StoreError) return { kind: 'error', offset, section, code: error.code, message: error.message };
    throw error;
  }
}
