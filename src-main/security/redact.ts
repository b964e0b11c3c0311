/**
 * The one place secrets are taken out of log lines before anyone sees them: the one-time
 * download token of the private key (`…/server.key?token=…`), wherever a URL carrying it
 * appears (the server's request lines, the board's `start_download: <url>`, the app's log
 * book, exported logs, the renderer). Applied where log lines are made.
 */
const TOKEN_PARAMETER = /([?&]token=)[^\s&#"'<>]+/giu;
// The same inside a percent-encoded URL (a logged raw request target, a URL inside a URL).
const ENCODED_TOKEN_PARAMETER = /((?:%3f|%26)token(?:=|%3d))(?:(?!%26|%23)[^\s&#"'<>])+/giu;

export const REDACTED = '[redacted]';

export function redactSecrets(text: string): string {
  if (!/token/iu.test(text)) return text;
  return text.replace(TOKEN_PARAMETER, `$1${REDACTED}`).replace(ENCODED_TOKEN_PARAMETER, `$1${REDACTED}`);
}
