/**
 * What a USB host tells a CDC device on its control endpoint, carried beside a virtual port.
 *
 * A pseudo-terminal carries bytes only: the baud rate and DTR a client sets on its end never
 * reach the other end, so the 1200-baud touch that sends an Arduino-style board back into its
 * bootloader cannot cross a pty pair. A simulated board therefore listens on a Unix socket
 * named beside its port, `<port>.usb-control`, and the programmer's serial edge reports there,
 * one JSON line per request, the line states a USB host would have sent (SET_LINE_CODING and
 * SET_CONTROL_LINE_STATE folded into `{"baud":1200,"dtr":false,"rts":true}`). The board
 * answers each line with `ok`. Real ports have no such socket, and nothing changes for them.
 */
import { existsSync, lstatSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';

export interface LineState {
  baud: number;
  dtr: boolean;
  rts: boolean;
}

export function usbControlSocketPath(portPath: string): string {
  return `${portPath}.usb-control`;
}

/** True when a simulated board listens beside `portPath`. */
export function hasUsbControlSidecar(portPath: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    return lstatSync(usbControlSocketPath(portPath)).isSocket();
  } catch {
    return false;
  }
}

/**
 * Tells the board beside `portPath` the line states a USB host would have sent, in order, and
 * waits for each to be acknowledged. Resolves false when there is no sidecar (a real port).
 */
export async function sendLineStates(portPath: string, states: LineState[], timeoutMs = 3000): Promise<boolean> {
  if (!hasUsbControlSidecar(portPath)) return false;
  return new Promise<boolean>((resolve, reject) => {
    const socket = createConnection(usbControlSocketPath(portPath));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`The simulated board beside ${portPath} did not acknowledge its line state within ${timeoutMs} ms.`));
    }, timeoutMs);
    let acknowledged = 0;
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      createInterface({ input: socket }).on('line', (line) => {
        if (line.trim() !== 'ok') return;
        acknowledged++;
        if (acknowledged === states.length) {
          clearTimeout(timer);
          socket.end();
          resolve(true);
        }
      });
      for (const state of states) socket.write(`${JSON.stringify(state)}\n`);
    });
  });
}

export interface UsbControlListener {
  readonly path: string;
  close(): Promise<void>;
}

function parseLineState(line: string): LineState | undefined {
  try {
    const value = JSON.parse(line) as Partial<LineState>;
    if (typeof value.baud === 'number' && typeof value.dtr === 'boolean' && typeof value.rts === 'boolean') return { baud: value.baud, dtr: value.dtr, rts: value.rts };
  } catch {
    // not a line state
  }
  return undefined;
}

/** The board's side: calls `onLineState` for every line state the host reports beside `portPath`. */
export async function listenForLineStates(portPath: string, onLineState: (state: LineState) => void): Promise<UsbControlListener> {
  const socketPath = usbControlSocketPath(portPath);
  if (existsSync(socketPath)) rmSync(socketPath, { force: true });
  const server: Server = createServer((socket) => {
    socket.on('error', () => {});
    createInterface({ input: socket }).on('line', (line) => {
      const state = parseLineState(line);
      if (state) onLineState(state);
      if (!socket.destroyed) socket.write(state ? 'ok\n' : 'error: expected {"baud":N,"dtr":bool,"rts":bool}\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(socketPath, { force: true });
      });
      return closing;
    },
  };
}
