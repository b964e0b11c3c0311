export function formatBytes(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes.toLocaleString('en-US')} B`;
}

export function hex(value: number, width = 4): string {
  return `0x${value.toString(16).toUpperCase().padStart(width, '0')}`;
}

export function shortFingerprint(sha256: string | null): string {
  if (!sha256) return '—';
  return sha256
    .replace(/[^0-9a-f]/gi, '')
    .slice(0, 16)
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1:');
}

export function formatDate(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "2026-12-03 09:41:07" (local-independent: the stored ISO time without the zone). */
export function formatTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) : '—';
}
