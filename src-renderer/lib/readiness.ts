import type { BoardView, FlashMapView, ProvisionSettingsView, WifiSettingsView, WorkspaceView } from '../../src-main/api/contract';

/** One line of a step's checklist: what is needed, and whether it is there. */
export interface CheckItem {
  id: string;
  label: string;
  ok: boolean;
  /** What to do when it is missing, in a few words. */
  hint?: string;
}

export interface StepState {
  items: CheckItem[];
  ready: boolean;
  /** "Ready", or what is still missing. */
  summary: string;
}

function step(items: CheckItem[]): StepState {
  const missing = items.filter((item) => !item.ok);
  return { items, ready: missing.length === 0, summary: missing.length === 0 ? 'Ready' : `Needs ${missing.map((item) => lowerFirst(item.label)).join(', ')}` };
}

/** "A connected board" → "a connected board" (but "Wi-Fi" stays "Wi-Fi"). */
export function lowerFirst(text: string): string {
  return /^[A-Z](?=[a-z\s])/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/**
 * Step 1: certificates chosen, no errors, and the plan fits the module. A board with an interrupted
 * write cannot be planned for (its sections are damaged): that is step 2's to say, not the plan's fault.
 */
export function certificatesStep(workspace: WorkspaceView | null, map: FlashMapView | null, boardInterrupted = false): StepState {
  const files = workspace?.files.length ?? 0;
  const errors = workspace?.findings.filter((finding) => finding.severity === 'error').length ?? 0;
  const hasPlan = (workspace?.plan.length ?? 0) > 0;
  if (files === 0) return step([{ id: 'files', label: 'Certificates', ok: false, hint: 'drop files or load the example set' }]);
  return step([
    { id: 'files', label: 'Certificates', ok: hasPlan, hint: 'add a root or the module\u2019s key and chain' },
    { id: 'errors', label: errors > 0 ? `The ${errors === 1 ? 'error' : `${errors} errors`} under Certificates fixed` : 'A plan without errors', ok: hasPlan && errors === 0 && (workspace?.planValid ?? false), hint: 'see the findings under Certificates' },
    // One reason per fact: a plan with errors is not also "a plan that does not fit".
    ...(errors > 0 || boardInterrupted ? [] : [{ id: 'fits', label: 'A plan that fits the board', ok: map === null || map.fits, hint: map?.blockers[0] ?? '' }]),
  ]);
}

/**
 * Step 2: a board connected, checked, and (for Wi-Fi delivery) the network it joins. In station mode
 * boards come by themselves (each plugged-in board is checked and provisioned in its own session), so
 * only the network is still the person's to give.
 */
export function boardStep(board: BoardView | null, wifi: WifiSettingsView | null, settings: ProvisionSettingsView | null, stationMode = false): StepState {
  const connected = board?.connection === 'connected' || board?.connection === 'busy';
  const downloads = settings?.delivery !== 'usb' && board?.protocol !== 'fwupdater';
  const items: CheckItem[] = stationMode
    ? [{ id: 'board', label: 'Station mode: each board plugged in is checked and provisioned', ok: true }]
    : [
    { id: 'board', label: 'A connected board', ok: connected, hint: 'connect a detected board or use the simulated one' },
    connected && !board?.recovery
      ? { id: 'recovered', label: 'The board checked', ok: false, hint: 'reading it and its journal…' }
      : { id: 'recovered', label: 'No unfinished write on it', ok: !connected || board?.recovery?.state !== 'interrupted' || board.recovery.overridden, hint: 'restore the backup shown at the top' },
      ];
  if (downloads) {
    const wifiSet = !!wifi?.ssid && (wifi.security === 'open' || wifi.hasPassphrase);
    items.push({ id: 'wifi', label: 'The Wi-Fi the board joins', ok: wifiSet, hint: 'type the SSID and passphrase (saved as you type)' });
  }
  return step(items);
}

/**
 * Step 3: what steps 1 and 2 still miss, named where it is (a run in progress is shown by the result
 * area, not here, so the checklist does not appear and push the result area down while it runs).
 */
export function provisionStep(certificates: StepState, board: StepState): StepState {
  const missing = [
    ...certificates.items.filter((item) => !item.ok).map((item) => ({ ...item, id: `certificates-${item.id}`, hint: `step 1${item.hint ? `: ${item.hint}` : ''}` })),
    ...board.items.filter((item) => !item.ok).map((item) => ({ ...item, id: `board-${item.id}`, hint: `step 2${item.hint ? `: ${item.hint}` : ''}` })),
  ];
  return step(missing);
}
