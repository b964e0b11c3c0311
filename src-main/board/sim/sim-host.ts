import { SerialTransport, type SerialPortFactory } from '../transport/serial-transport.js';
import { createTransportPair, type ByteTransport } from '../transport/byte-transport.js';
import { FwUpdaterSim } from './fwupdater-sim.js';
import { createPtyPair, type PtyPair } from './pty.js';
import { SimBoard, type SimBoardOptions } from './sim-board.js';

export type SimProtocol = 'native' | 'fwupdater';

export interface RunningSim {
  /** Path clients open (pty mode), or undefined in-process. */
  path?: string;
  /** In-process mode: the host end of the link. */
  hostTransport?: ByteTransport;
  board: SimBoard;
  fwupdater?: FwUpdaterSim;
  protocol: SimProtocol;
  /** Resolves when the link is gone (stop(), or an unplug/power-cut fault). */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

export interface StartSimOptions extends SimBoardOptions {
  protocol?: SimProtocol;
  serialPortFactory?: SerialPortFactory;
}

function speak(board: SimBoard, protocol: SimProtocol, transport: ByteTransport, onUnplug: (reason: string) => void, log?: (line: string) => void): FwUpdaterSim | undefined {
  if (protocol === 'native') {
    board.attach(transport, onUnplug);
    return undefined;
  }
  const fw = new FwUpdaterSim(board, { ...(log ? { log } : {}) });
  fw.attach(transport, onUnplug);
  return fw;
}

/** A simulated board behind a real pseudo-terminal (socat), opened through the serialport binding. */
export async function startPtySim(options: StartSimOptions = {}): Promise<RunningSim> {
  const protocol = options.protocol ?? 'native';
  const board = new SimBoard(options);
  const pty: PtyPair = await createPtyPair();
  let transport: SerialTransport;
  try {
    transport = await SerialTransport.open({ path: pty.boardPath, baudRate: options.baudRate || 115200, ...(options.serialPortFactory ? { factory: options.serialPortFactory } : {}) });
  } catch (error) {
    await pty.destroy();
    throw error;
  }
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      board.close();
      await transport.close().catch(() => undefined);
      await pty.destroy();
      resolveClosed();
    })();
    return stopping;
  };
  const fwupdater = speak(board, protocol, transport, () => void stop(), options.log);
  transport.onClose(() => void stop());
  return { path: pty.clientPath, board, protocol, closed, stop, ...(fwupdater ? { fwupdater } : {}) };
}

/** A simulated board on an in-process link (no pty), for fast tests and the app's demo mode. */
export function startInProcessSim(options: Omit<StartSimOptions, 'serialPortFactory'> = {}): RunningSim {
  const protocol = options.protocol ?? 'native';
  const board = new SimBoard(options);
  const pair = createTransportPair();
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  pair.host.onClose(() => resolveClosed());
  const fwupdater = speak(board, protocol, pair.board, (reason) => pair.sever(new Error(reason)), options.log);
  return {
    hostTransport: pair.host,
    board,
    protocol,
    closed,
    ...(fwupdater ? { fwupdater } : {}),
    async stop() {
      board.close();
      await pair.host.close();
    },
  };
}
