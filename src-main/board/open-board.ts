import type { BoardLink } from './board-link.js';
import { FwUpdaterDriver } from './fwupdater/fwupdater-driver.js';
import { FW_DEFAULT_BAUD } from './fwupdater/fwupdater-protocol.js';
import { NativeBoardDriver, type NativeDriverOptions } from './native/native-driver.js';
import { resolvePort, type DiscoveryDeps } from './transport/port-discovery.js';
import { SerialTransport, type SerialPortFactory } from './transport/serial-transport.js';
import type { FlashLayout } from '../store/flash-layout.js';

export type BoardProtocol = 'native' | 'fwupdater';

export interface OpenBoardOptions {
  /** A device path, a COM name, or a USB serial number of a listed port. */
  port: string;
  protocol?: BoardProtocol;
  baudRate?: number;
  layout?: FlashLayout;
  native?: Omit<NativeDriverOptions, 'layout' | 'baudRate'>;
  discovery?: DiscoveryDeps;
  serialPortFactory?: SerialPortFactory;
}

/** Opens a serial port and wraps it in the driver for the chosen protocol. Caller closes the link. */
export async function openBoard(options: OpenBoardOptions): Promise<NativeBoardDriver | FwUpdaterDriver> {
  const protocol = options.protocol ?? 'native';
  const port = await resolvePort(options.port, options.discovery);
  const baudRate = options.baudRate ?? (protocol === 'fwupdater' ? FW_DEFAULT_BAUD : 115200);
  const transport = await SerialTransport.open({ path: port.path, baudRate, ...(options.serialPortFactory ? { factory: options.serialPortFactory } : {}) });
  if (protocol === 'fwupdater') {
    return new FwUpdaterDriver(transport, {
      ...(options.layout ? { layout: options.layout } : {}),
      ...(port.known ? { boardKind: port.known.board } : {}),
      ...(port.serialNumber ? { serialNumber: port.serialNumber } : {}),
    });
  }
  return new NativeBoardDriver(transport, { ...options.native, baudRate, ...(options.layout ? { layout: options.layout } : {}) });
}

export type { BoardLink };
