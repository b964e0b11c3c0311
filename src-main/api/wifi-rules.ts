/**
 * What the board can join, counted the way 802.11 and WPA2 count it: an SSID is at most
 * 32 bytes (not characters: "café" is 5 bytes in UTF-8), a WPA2 passphrase is 8 to 63
 * printable ASCII characters or exactly 64 hex digits (the raw pre-shared key), and an
 * open network has no passphrase. Pure and dependency-free: main validates every call
 * with it, the renderer's form shows the same messages as the user types, the CLI too.
 */

export const SSID_MAX_BYTES = 32;
export const PASSPHRASE_MIN_CHARS = 8;
export const PASSPHRASE_MAX_CHARS = 63;
export const PSK_HEX_DIGITS = 64;

export type WifiSecurityChoice = 'open' | 'wpa2';

export interface WifiProblem {
  field: 'ssid' | 'passphrase';
  message: string;
}

export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

export function ssidProblem(ssid: string): string | null {
  if (ssid.length === 0) return 'Enter the SSID (the Wi-Fi network name) the board joins.';
  if (ssid.includes('\u0000')) return 'The SSID cannot contain a NUL character.';
  const bytes = utf8ByteLength(ssid);
  if (bytes > SSID_MAX_BYTES) {
    return `The SSID is ${bytes} bytes in UTF-8; Wi-Fi allows at most ${SSID_MAX_BYTES} bytes (accented letters and emoji take 2 to 4 bytes each).`;
  }
  return null;
}

/**
 * The passphrase's problem for a security choice. `undefined` means "keep the stored one":
 * fine for WPA2 only when one is stored.
 */
export function passphraseProblem(security: WifiSecurityChoice, passphrase: string | undefined, stored = false): string | null {
  if (security === 'open') {
    return passphrase ? 'An open network has no passphrase: clear it, or choose WPA2-PSK.' : null;
  }
  if (passphrase === undefined || passphrase === '') {
    return stored ? null : `Enter the WPA2 passphrase: ${PASSPHRASE_MIN_CHARS} to ${PASSPHRASE_MAX_CHARS} characters, or the ${PSK_HEX_DIGITS}-digit hex key.`;
  }
  if (passphrase.length === PSK_HEX_DIGITS) {
    return /^[0-9a-fA-F]{64}$/.test(passphrase) ? null : `A ${PSK_HEX_DIGITS}-character passphrase is the raw key and must be hex digits only (0-9, a-f); a text passphrase is at most ${PASSPHRASE_MAX_CHARS} characters.`;
  }
  const unprintable = [...passphrase].find((char) => char < ' ' || char > '~');
  if (unprintable !== undefined) {
    return `A WPA2 passphrase is printable ASCII only (letters, digits, space and punctuation); "${describeChar(unprintable)}" is not.`;
  }
  if (passphrase.length < PASSPHRASE_MIN_CHARS) return `The passphrase is ${passphrase.length} characters; WPA2 needs at least ${PASSPHRASE_MIN_CHARS}.`;
  if (passphrase.length > PASSPHRASE_MAX_CHARS) {
    return `The passphrase is ${passphrase.length} characters; WPA2 allows at most ${PASSPHRASE_MAX_CHARS} (or exactly ${PSK_HEX_DIGITS} hex digits).`;
  }
  return null;
}

/** Every problem with a Wi-Fi setting, in form order; empty when the board can be sent it. */
export function wifiProblems(settings: { ssid: string; security: WifiSecurityChoice; passphrase?: string | undefined }, options: { passphraseStored?: boolean } = {}): WifiProblem[] {
  const problems: WifiProblem[] = [];
  const ssid = ssidProblem(settings.ssid);
  if (ssid) problems.push({ field: 'ssid', message: ssid });
  const passphrase = passphraseProblem(settings.security, settings.passphrase, options.passphraseStored ?? false);
  if (passphrase) problems.push({ field: 'passphrase', message: passphrase });
  return problems;
}

function describeChar(char: string): string {
  const code = char.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : char;
}
