/** Why the OS refused to open a serial port, read from the error text the bindings give. */
export type OpenFailureKind = 'access-denied' | 'busy' | 'not-found' | 'other';

export function classifyOpenFailure(message: string): OpenFailureKind {
  // Linux says "Permission denied, cannot open …"; Windows says "Access denied" for a port another program holds.
  if (/EACCES|Permission denied/i.test(message)) return 'access-denied';
  if (/EBUSY|lock|busy|Access denied|in use/i.test(message)) return 'busy';
  if (/ENOENT|no such file|cannot find|not found|does not exist/i.test(message)) return 'not-found';
  return 'other';
}

export function accessDeniedAdvice(path: string): string {
  return `No permission to open ${path}. On Linux add yourself to the serial-port group (sudo usermod -aG dialout $USER; on Arch the group is uucp), log out and in, then try again.`;
}
