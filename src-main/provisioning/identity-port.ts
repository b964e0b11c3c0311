import type { RunIdentityView } from '../api/contract.js';
import type { ProofAttempt } from '../https-server/proof-server.js';
import type { BoardFacts, BoardIdentity, FailedFacts, WrittenFacts } from '../identity/index.js';

/** Where a board proves its identity: the mutual-TLS proof port on the address the board reaches. */
export interface ProofEndpoint {
  host: string;
  port: number;
  /** The first attempt since `since` that presented this certificate serial, or undefined after `timeoutMs`. */
  attemptFor(certSerial: string, since: Date, timeoutMs: number): Promise<ProofAttempt | undefined>;
}

/**
 * What a provisioning run needs for per-board identities (issue 16), injected into the Provisioner:
 * the identity desk's lifecycle calls (each resolves once its state and audit record are durable)
 * and the proof endpoint. Absent: every board gets the plan as it is.
 */
export interface ProvisionerIdentity {
  /** The board proves its identity over mutual TLS after the write (else the key is dropped once written). */
  readonly proofRequired: boolean;
  /** The subject template uses {mac}: the board must report its WINC's MAC. */
  readonly usesMac: boolean;
  /** Why no identity can be issued now (CA closed or expired), in words a person can act on; null when ready. */
  preflight(): string | null;
  identityForBoard(facts: BoardFacts): Promise<BoardIdentity>;
  recordWritten(identity: BoardIdentity, facts: WrittenFacts): Promise<void>;
  recordProven(identity: BoardIdentity, facts: { proofPeer?: string; timings?: Record<string, number>; port?: string }): Promise<void>;
  recordFailed(identity: BoardIdentity, facts: FailedFacts): Promise<void>;
  proofEndpoint(host: string): Promise<ProofEndpoint>;
}

/** The path a board GETs on the proof port (any path is answered; this one says what it is for). */
export const PROOF_PATH = '/winc-cert-studio/proof';

/** How long to wait for the proof server's record of an attempt after the board's PROVE_IDENTITY returned. */
export const PROOF_RECORD_WAIT_MS = 5000;

export function runIdentityView(identity: BoardIdentity, state: RunIdentityView['state']): RunIdentityView {
  return {
    certSerial: identity.certSerial,
    subject: identity.subject,
    notAfter: identity.notAfter,
    stationSerial: identity.stationSerial ?? null,
    attempt: identity.attempt,
    certificateSha256: identity.certificateSha256,
    mac: identity.mac ?? null,
    state,
    proof: null,
  };
}

/** What the proof answer's body says (the board keeps its first 255 bytes: parsed leniently). */
export function proofAnswerReason(status: number, body: string): string {
  const reason = /"reason":"((?:[^"\\]|\\.)*)/u.exec(body)?.[1];
  const serial = /"serial":"([0-9A-Fa-f]+)"/u.exec(body)?.[1];
  if (status === 200 && serial) return `the proof port accepted certificate ${serial}`;
  return `the proof port answered ${status}${reason ? `: ${reason.replace(/\\"/gu, '"')}` : ''}`;
}
