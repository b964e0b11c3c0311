/** The parts of an IPC event the sender check looks at (a subset of Electron's IpcMainInvokeEvent). */
export interface IpcSenderInfo {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * An IPC call is trusted only when it comes from the app's own window, from its top
 * frame, and from the renderer page the app loaded (not from a page it was
 * navigated to, which navigation blocking should already prevent).
 */
export function isTrustedSender(event: IpcSenderInfo, trustedWebContentsId: number | undefined, rendererUrl: string): boolean {
  if (trustedWebContentsId === undefined || event.sender.id !== trustedWebContentsId) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return stripHashAndQuery(frame.url) === stripHashAndQuery(rendererUrl);
}

function stripHashAndQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
