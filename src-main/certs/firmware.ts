import { DEFAULT_FIRMWARE, DEFAULT_MODULE, getFlashLayout, type FlashLayout, type WincModule } from '../store/flash-layout.js';

/** What the chosen module firmware can hold: its flash layout plus the key limits of its verifier. */
export interface FirmwareProfile {
  /** Normalised, e.g. "19.6" or "19.7.10". */
  version: string;
  layout: FlashLayout;
  /** The module's root store and TLS code handle RSA keys up to this size. */
  maxRsaBits: number;
  /** The only curve the module's verifier and secure element handle. */
  ecCurve: 'P-256';
  /** V0 (19.4) root stores have no ECDSA entry type. */
  rootStoreAcceptsEc: boolean;
  /** Files the TLS store's header has room for. */
  tlsStoreMaxFiles: number;
}

export { DEFAULT_FIRMWARE };

/** Throws StoreError LAYOUT_UNKNOWN_FIRMWARE / LAYOUT_UNKNOWN_MODULE for versions the app does not know. */
export function firmwareProfile(version: string = DEFAULT_FIRMWARE, module: WincModule = DEFAULT_MODULE): FirmwareProfile {
  const layout = getFlashLayout(module, version);
  return {
    version: layout.firmware,
    layout,
    maxRsaBits: 4096,
    ecCurve: 'P-256',
    rootStoreAcceptsEc: layout.rootFormat !== 'v0',
    tlsStoreMaxFiles: 8,
  };
}
