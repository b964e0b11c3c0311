import type { BoardPhase, SectionBackup } from './errors.js';
import type { BoardKind } from './protocol/constants.js';
import type { SectionName } from './sections.js';

/** What HELLO's status byte says (protocol revision 1.1; all false for older boards). */
export interface BoardStatusFlags {
  /** The WINC is still booting; its chip id and firmware may read 0 for now. */
  wincStarting: boolean;
  /** The board runs on a fallback clock (the 48 MHz DFLL did not lock or the 32 kHz crystal did not start). */
  clockUnlocked: boolean;
  /** The WINC is in download mode (flash access; no Wi-Fi). */
  wincDownloadMode: boolean;
}

export const NO_STATUS_FLAGS: BoardStatusFlags = { wincStarting: false, clockUnlocked: false, wincDownloadMode: false };

/** What a connected board says about itself, whichever protocol it speaks. */
export interface BoardIdentity {
  protocol: 'native' | 'fwupdater';
  boardKind: BoardKind;
  /** Our firmware's version, or the FirmwareUpdater sketch's hello string. */
  firmwareVersion: string;
  /** 32 hex digits, or '' when the protocol cannot tell. */
  uniqueId: string;
  /** e.g. 0x1503a0; 0 when unknown. */
  wincChipId: number;
  /** e.g. "19.6.1"; '' when unknown. */
  wincFirmware: string;
  wincFlashSize: number;
  /** Largest payload this link uses per frame/packet. */
  maxPayload: number;
  simulated: boolean;
  capabilities: string[];
  /** Minor revision of docs/serial-protocol.md the board implements (0 for 1.0 and for the FirmwareUpdater sketch). */
  protocolRevision: number;
  status: BoardStatusFlags;
}

export interface ProgressUpdate {
  phase: BoardPhase;
  done: number;
  total: number;
}

export interface OperationOptions {
  signal?: AbortSignal;
  onProgress?: (update: ProgressUpdate) => void;
}

export interface WriteSectionOptions extends OperationOptions {
  /**
   * Receives the section as it was before anything was erased. Awaited before the erase starts,
   * so the caller can persist it; if it throws, nothing is erased.
   */
  backupSink?: (backup: SectionBackup) => Promise<void> | void;
}

export interface WriteSectionResult {
  backup: SectionBackup;
  bytesWritten: number;
  verified: true;
}

/** The operations the app needs from any board link (native protocol or FirmwareUpdater sketch). */
export interface BoardLink {
  readonly protocol: 'native' | 'fwupdater';
  identify(options?: OperationOptions): Promise<BoardIdentity>;
  readFlash(address: number, length: number, options?: OperationOptions): Promise<Uint8Array>;
  readSection(section: SectionName, options?: OperationOptions): Promise<Uint8Array>;
  /** Backup → erase → write → verify by read-back. Errors carry `phase` and `backup`. */
  writeSection(section: SectionName, data: Uint8Array, options?: WriteSectionOptions): Promise<WriteSectionResult>;
  eraseSection(section: SectionName, options?: OperationOptions): Promise<void>;
  close(): Promise<void>;
}

export function formatWincVersion(v: readonly number[]): string {
  return v.every((n) => n === 0) ? '' : v.join('.');
}
