import type { BoardIdentity, BoardLink } from '../board/board-link.js';
import { BoardError } from '../board/errors.js';
import { NativeBoardDriver } from '../board/native/native-driver.js';
import type { ByteTransport } from '../board/transport/byte-transport.js';
import type { BoardAccess } from './provisioner.js';

export type OpenTransport = (path: string, baudRate: number) => Promise<ByteTransport>;

/**
 * One board of a gang, on its own port: the link to it, its identity, one operation at a time.
 * The station opens one per plugged board and gives each its own Provisioner; the app's
 * single-board BoardController stays what it is.
 */
export class PortBoard implements BoardAccess {
  private operation: string | undefined;
  private lostListeners = new Set<(error: Error | undefined) => void>();
  private gone = false;

  private constructor(
    readonly path: string,
    private readonly driver: NativeBoardDriver,
    private readonly identity: BoardIdentity,
  ) {}

  /** Opens the port and asks the board who it is (our firmware's protocol); the port is freed again if it does not answer. */
  static async open(path: string, openTransport: OpenTransport, onLog?: (level: 'info' | 'warn' | 'error', text: string) => void): Promise<PortBoard> {
    const transport = await openTransport(path, 115200);
    try {
      const driver = new NativeBoardDriver(transport);
      const identity = await driver.identify();
      const board = new PortBoard(path, driver, identity);
      transport.onClose((error) => board.markGone(error));
      if (onLog) {
        driver.onEvent((event) => {
          if (event.kind === 'log') onLog(event.level === 'error' ? 'error' : event.level === 'warning' ? 'warn' : 'info', event.text);
        });
      }
      return board;
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw error;
    }
  }

  /** False once the link is gone (unplugged, power cut, closed). */
  get present(): boolean {
    return !this.gone;
  }

  /** Called once when the link goes away (an error: unplugged or lost; undefined: closed by us). */
  onGone(listener: (error: Error | undefined) => void): () => void {
    if (this.gone) {
      listener(undefined);
      return () => undefined;
    }
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  requireIdentity(): BoardIdentity {
    if (this.gone) throw new BoardError('DISCONNECTED', `The board on ${this.path} is gone: plug it in again.`, { phase: 'open' });
    return this.identity;
  }

  async exclusive<T>(name: string, work: (driver: BoardLink) => Promise<T>): Promise<T> {
    this.requireIdentity();
    if (this.operation) throw new BoardError('BUSY', `The board on ${this.path} is busy with ${this.operation}.`, { phase: 'none' });
    this.operation = name;
    try {
      return await work(this.driver);
    } finally {
      this.operation = undefined;
    }
  }

  view(): { uniqueId: string | null; path: string | null; boardKind: string | null; wincFirmware: string | null } {
    return { uniqueId: this.identity.uniqueId || null, path: this.path, boardKind: this.identity.boardKind, wincFirmware: this.identity.wincFirmware || null };
  }

  async close(): Promise<void> {
    if (this.gone) return;
    await this.driver.close().catch(() => undefined);
    this.markGone(undefined);
  }

  private markGone(error: Error | undefined): void {
    if (this.gone) return;
    this.gone = true;
    for (const listener of [...this.lostListeners]) listener(error);
    this.lostListeners.clear();
  }
}
