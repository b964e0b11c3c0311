/**
 * What one job may carry: the board's size limits, the same table as the firmware's
 * `firmware/core/board_limits.h`. The simulator enforces exactly these, and a test compares this
 * table with what the firmware's host build reports (`winc-cert-fw-host --limits`).
 *
 * Downloads are streamed: a root certificate is read (as DER) into the 4 KiB root-store buffer and
 * reduced to its root-store entry at once; TLS files are kept as DER, each 4-byte aligned, until the
 * TLS store is built. So the limits are what the stores hold, plus one root certificate of 4 KiB DER.
 */
import { TLS_KEPT_TAIL_SIZE, WINC1500_ROOT_STORE_SIZE, WINC1500_TLS_STORE_SIZE } from '../../store/flash-layout.js';
import { MAX_REMOVE_ROOTS, PROVE_BODY_MAX } from './constants.js';

const ROOT_STORE_HEADER = 20;
const TLS_HEADER_19_6 = 468;

export const BOARD_LIMITS = {
  /** SET_JOB entries. */
  jobEntries: 16,
  /** numOfChainCert of a TLS group. */
  chainCerts: 7,
  removeRoots: MAX_REMOVE_ROOTS,
  /** Bytes of a job file name. */
  fileName: 64,
  /** One root certificate, as DER. */
  rootCertDer: WINC1500_ROOT_STORE_SIZE,
  /** The root-store entries one job adds. */
  rootEntryBytes: WINC1500_ROOT_STORE_SIZE - ROOT_STORE_HEADER,
  /** Header and files of the TLS store (the section minus its kept tail). */
  tlsStoreBytes: WINC1500_TLS_STORE_SIZE - TLS_KEPT_TAIL_SIZE,
  /** A job's TLS files as DER, each 4-byte aligned. */
  tlsFileBytes: WINC1500_TLS_STORE_SIZE - TLS_KEPT_TAIL_SIZE - TLS_HEADER_19_6,
  tlsFiles: 8,
  /** Largest RSA key a certificate may carry. */
  rsaBits: 4096,
  rootStoreBytes: WINC1500_ROOT_STORE_SIZE,
  tlsSectionBytes: WINC1500_TLS_STORE_SIZE,
  tlsKeptTail: TLS_KEPT_TAIL_SIZE,
  proveBody: PROVE_BODY_MAX,
} as const;

export type BoardLimits = typeof BOARD_LIMITS;
