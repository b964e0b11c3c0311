import { existsSync } from 'node:fs';
import type { BoardConnection, BoardView, PortView } from '../api/contract.js';
import type { BoardIdentity, BoardLink } from '../board/board-link.js';
import { BoardError } from '../board/errors.js';
import { FwUpdaterDriver } from '../board/fwupdater/fwupdater-driver.js';
import { FW_DEFAULT_BAUD } from '../board/fwupdater/fwupdater-protocol.js';
import { NativeBoardDriver } from '../board/native/native-driver.js';
import { listSerialPorts, type DiscoveryDeps } from '../board/transport/port-discovery.js';
import { SerialTransport } from '../board/transport/serial-transport.js';
import type { ByteTransport } from '../board/transport/byte-transport.js';
import { ReconnectWatcher } from './reconnect-watcher.js';

const BOARD_LABEL: Record<string, string> = {
  'samd21-xpro': 'SAM D21 Xplained Pro + ATWINC1500-XPRO',
  mkr1000: 'Arduino MKR1000',
  'feather-m0-wifi': 'Adafruit Feather M0 WiFi',
  unknown: 'Unknown SAM D21 board',
};

const FWUPDATER_SKETCH = 'Arduino FirmwareUpdater sketch';

/** WINC firmware with the self-signed certificate validation bypass (fixed in 19.7.11). */
const BYPASS_FIRMWARE = '19.7.10';

/** A simulated board the app can start for demo mode and tests: a pty path and a way to stop it. */
export interface SimulatedBoardHandle {
  portPath: string;
  close(): Promise<void>;
}

export interface BoardControllerOptions {
  discovery?: DiscoveryDeps;
  openTransport?: (path: string, baudRate: number) => Promise<ByteTransport>;
  startSimulatedBoard?: () => Promise<SimulatedBoardHandle>;
  onChange(view: BoardView): void;
  onLog(level: 'info' | 'warn' | 'error', text: string): void;
  reconnect?: {
    /** False while something else owns reconnection (station mode). Default: always. */
    enabled?: () => boolean;
    portPresent?: (path: string) => Promise<boolean>;
    pollMs?: number;
  };
}

const RECONNECT_POLL_MS = 1000;

/**
 * The one owner of the board connection in the app: opens the port, identifies the
 * board, notices an unplug, and hands the driver to whoever runs an operation.
 */
export class BoardController {
  private driver: BoardLink | undefined;
  private identity: BoardIdentity | undefined;
  private path: string | null = null;
  private connection: BoardConnection = 'disconnected';
  private simulated: SimulatedBoardHandle | undefined;
  private operation: string | undefined;
  private readonly reconnectWatcher: ReconnectWatcher;
  /** The protocol the lost board spoke, to reconnect it the same way. */
  private lostProtocol: 'native' | 'fwupdater' = 'native';

  constructor(private readonly options: BoardControllerOptions) {
    this.reconnectWatcher = new ReconnectWatcher({
      pollMs: options.reconnect?.pollMs ?? RECONNECT_POLL_MS,
      portPresent: options.reconnect?.portPresent ?? ((path) => this.portPresent(path)),
      reconnect: (path) => this.reconnectLost(path),
    });
  }

  async listPorts(): Promise<PortView[]> {
    let ports;
    try {
      ports = await listSerialPorts(this.options.discovery);
    } catch (error) {
      this.options.onLog('warn', `Could not list serial ports: ${error instanceof Error ? error.message : String(error)}. Type the port path instead.`);
      return [];
    }
    // Every board this app drives is a USB device; ports without a USB identity are the
    // motherboard's UARTs (ttyS0, COM1) and only get in the way. A typed path still works.
    return ports
      .filter((port) => port.vendorId !== undefined && port.known?.role !== 'bootloader')
      .sort((a, b) => Number(b.known !== undefined) - Number(a.known !== undefined))
      .map((port) => ({
        path: port.path,
        board: port.known ? port.known.label : null,
        serialNumber: port.serialNumber ?? null,
        vendorId: port.vendorId ?? null,
        productId: port.productId ?? null,
        simulated: port.path === this.simulated?.portPath,
        firmwareBoard: port.known?.board ?? null,
      }));
  }

  view(): BoardView {
    const identity = this.identity;
    const warnings: string[] = [];
    if (identity?.wincFirmware === BYPASS_FIRMWARE) {
      warnings.push('WINC firmware 19.7.10 accepts self-signed server certificates without checking them; update the module to 19.7.11 or later.');
    }
    // Arduino's FirmwareUpdater sketch reports neither the board, the chip nor its firmware:
    // those stay null ("not reported"), never a guess or a false alarm.
    const sketch = identity?.protocol === 'fwupdater';
    if (identity && !sketch && identity.wincChipId === 0) warnings.push('The WINC module did not answer: check that it is seated on the right header.');
    return {
      connection: this.operation && this.connection === 'connected' ? 'busy' : this.connection,
      path: this.path,
      protocol: identity?.protocol ?? null,
      simulated: identity?.simulated ?? false,
      boardKind: identity && !(sketch && identity.boardKind === 'unknown') ? (BOARD_LABEL[identity.boardKind] ?? identity.boardKind) : null,
      uniqueId: identity?.uniqueId || null,
      firmwareVersion: identity ? (sketch ? FWUPDATER_SKETCH : identity.firmwareVersion) : null,
      wincChipId: identity && identity.wincChipId !== 0 ? `0x${identity.wincChipId.toString(16).toUpperCase()}` : null,
      wincFirmware: identity?.wincFirmware || null,
      warnings,
      reconnecting: this.connection === 'lost' && this.reconnectWatcher.path !== null,
      recovery: null,
      unfinishedWrites: [],
    };
  }

  /**
   * Opens the board. `native` speaks the app's own firmware protocol; `fwupdater` speaks
   * Arduino's FirmwareUpdater sketch, which can read and write the sections directly.
   */
  async connect(path: string, protocol: 'native' | 'fwupdater'): Promise<BoardView> {
    this.reconnectWatcher.stop();
    return this.openBoard(path, protocol);
  }

  private async openBoard(path: string, protocol: 'native' | 'fwupdater'): Promise<BoardView> {
    await this.closeDriver(false);
    this.setConnection('connecting', path);
    let transport: ByteTransport | undefined;
    try {
      const baudRate = protocol === 'fwupdater' ? FW_DEFAULT_BAUD : 115200;
      transport = this.options.openTransport ? await this.options.openTransport(path, baudRate) : await SerialTransport.open({ path, baudRate });
      const driver: BoardLink = protocol === 'fwupdater' ? new FwUpdaterDriver(transport) : new NativeBoardDriver(transport);
      transport.onClose((error) => {
        if (this.driver !== driver) return;
        this.driver = undefined;
        if (!error) {
          this.setConnection('disconnected', null);
          return;
        }
        this.options.onLog('error', `Lost the board on ${path}: ${error.message}`);
        this.lostProtocol = protocol;
        if (this.reconnectEnabled()) this.reconnectWatcher.start(path);
        this.setConnection('lost', path);
      });
      if (driver instanceof NativeBoardDriver) {
        driver.onEvent((event) => {
          if (event.kind === 'log') this.options.onLog(event.level === 'error' ? 'error' : event.level === 'warning' ? 'warn' : 'info', event.text);
        });
      }
      this.identity = await driver.identify();
      this.driver = driver;
      this.options.onLog(
        'info',
        this.identity.protocol === 'fwupdater'
          ? `Connected to the ${FWUPDATER_SKETCH} on ${path} (it does not report the board or the WINC firmware)`
          : `Connected to ${BOARD_LABEL[this.identity.boardKind] ?? 'board'} on ${path} (WINC firmware ${this.identity.wincFirmware || 'unknown'})`,
      );
      this.setConnection('connected', path);
    } catch (error) {
      this.identity = undefined;
      // A port that opened but did not identify is not ours to keep: free it for the next try.
      await transport?.close().catch(() => undefined);
      this.setConnection('disconnected', null);
      throw error;
    }
    return this.view();
  }

  async startDemo(): Promise<BoardView> {
    if (!this.options.startSimulatedBoard) throw new BoardError('NOT_SUPPORTED', 'The simulated board is not available in this build.', { phase: 'open' });
    await this.disconnect(false);
    await this.simulated?.close();
    this.simulated = await this.options.startSimulatedBoard();
    this.options.onLog('info', `Simulated board started on ${this.simulated.portPath}`);
    return this.connect(this.simulated.portPath, 'native');
  }

  /** The demo board's port while it runs (station mode provisions it like a plugged-in board). */
  simulatedPortPath(): string | null {
    return this.simulated?.portPath ?? null;
  }

  async disconnect(announce = true): Promise<BoardView> {
    this.reconnectWatcher.stop();
    return this.closeDriver(announce);
  }

  private async closeDriver(announce: boolean): Promise<BoardView> {
    const driver = this.driver;
    this.driver = undefined;
    this.identity = undefined;
    if (driver) await driver.close();
    this.setConnection('disconnected', null, announce);
    return this.view();
  }

  /** The connected driver, or a clear error telling the user to connect one. */
  requireDriver(): BoardLink {
    if (!this.driver) throw new BoardError('DISCONNECTED', 'No board is connected: connect one in the Board panel (or start the simulated board).', { phase: 'open' });
    return this.driver;
  }

  requireIdentity(): BoardIdentity {
    this.requireDriver();
    return this.identity!;
  }

  /** Marks the board busy for the length of `work`; one operation at a time. */
  async exclusive<T>(name: string, work: (driver: BoardLink) => Promise<T>): Promise<T> {
    const driver = this.requireDriver();
    if (this.operation) throw new BoardError('BUSY', `The board is busy with ${this.operation}; wait for it to finish or cancel it.`, { phase: 'none' });
    this.operation = name;
    this.options.onChange(this.view());
    try {
      return await work(driver);
    } finally {
      this.operation = undefined;
      this.options.onChange(this.view());
    }
  }

  async shutdown(): Promise<void> {
    await this.disconnect(false);
    await this.simulated?.close();
    this.simulated = undefined;
  }

  private reconnectEnabled(): boolean {
    return this.options.reconnect?.enabled?.() ?? true;
  }

  /** Device nodes can be checked directly; COM ports and the like only through the port listing. */
  private async portPresent(path: string): Promise<boolean> {
    if (path.startsWith('/')) return existsSync(path);
    const ports = await listSerialPorts(this.options.discovery);
    return ports.some((port) => port.path.toLowerCase() === path.toLowerCase());
  }

  private async reconnectLost(path: string): Promise<void> {
    if (this.connection !== 'lost' || this.path !== path || !this.reconnectEnabled()) {
      this.reconnectWatcher.stop();
      this.options.onChange(this.view());
      return;
    }
    this.options.onLog('info', `${path} is back: reconnecting.`);
    try {
      await this.openBoard(path, this.lostProtocol);
      this.reconnectWatcher.stop();
      this.options.onChange(this.view());
    } catch (error) {
      this.options.onLog('warn', `Could not reconnect to ${path}: ${error instanceof Error ? error.message : String(error)}`);
      this.setConnection('lost', path);
      throw error;
    }
  }

  private setConnection(connection: BoardConnection, path: string | null, announce = true): void {
    this.connection = connection;
    this.path = path;
    if (announce) this.options.onChange(this.view());
  }
}
