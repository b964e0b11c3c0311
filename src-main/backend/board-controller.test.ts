import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BoardView } from '../api/contract.js';
import { BoardError } from '../board/errors.js';
import { FwUpdaterSim } from '../board/sim/fwupdater-sim.js';
import { SimBoard } from '../board/sim/sim-board.js';
import { createTransportPair, type TransportPair } from '../board/transport/byte-transport.js';
import { BoardController } from './board-controller.js';

const PORT = '/dev/ttyACM7';

/** A bench with one USB socket: a board is plugged into `PORT` or it is not. */
function bench(options: { answers?: boolean } = {}) {
  const present = new Set<string>();
  const links: TransportPair[] = [];
  let opens = 0;
  return {
    present,
    links,
    /** Another program holds the port: opens fail. */
    held: false,
    /** How many times the controller looked for the port and did not find it. */
    missedChecks: 0,
    async portPresent(path: string) {
      if (!present.has(path)) this.missedChecks++;
      return present.has(path);
    },
    get opens() {
      return opens;
    },
    plugIn() {
      present.add(PORT);
    },
    unplug() {
      present.delete(PORT);
      links.at(-1)?.sever(new Error('device disconnected'));
    },
    async openTransport(path: string) {
      opens++;
      if (!present.has(path)) throw new BoardError('PORT_NOT_FOUND', `Cannot open ${path}`, { phase: 'open' });
      if (this.held) throw new BoardError('PORT_BUSY', `Cannot open ${path}: busy`, { phase: 'open' });
      const pair = createTransportPair();
      if (options.answers !== false) new SimBoard({ boardKind: 'mkr1000' }).attach(pair.board);
      links.push(pair);
      return pair.host;
    },
  };
}

let controller: BoardController | undefined;
afterEach(async () => {
  await controller?.shutdown();
  controller = undefined;
});

function makeController(b: ReturnType<typeof bench>, enabled = () => true) {
  const views: BoardView[] = [];
  controller = new BoardController({
    openTransport: (path) => b.openTransport(path),
    reconnect: { enabled, pollMs: 10, portPresent: (path) => b.portPresent(path) },
    onChange: (view) => views.push(view),
    onLog: () => undefined,
  });
  return { controller, views };
}

describe('BoardController reconnects an unplugged board', () => {
  it('shows the board lost, then connects again by itself when its port comes back', async () => {
    const b = bench();
    const { controller } = makeController(b);
    b.plugIn();
    await controller.connect(PORT, 'native');
    expect(controller.view().connection).toBe('connected');

    b.unplug();
    await vi.waitFor(() => expect(controller.view()).toMatchObject({ connection: 'lost', path: PORT, reconnecting: true }));
    const opensWhileAway = b.opens;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(b.opens, 'no open attempts while the port is absent').toBe(opensWhileAway);

    b.plugIn();
    await vi.waitFor(() => expect(controller.view()).toMatchObject({ connection: 'connected', path: PORT, reconnecting: false }));
    expect(controller.view().boardKind).toBe('Arduino MKR1000');
  });

  it('does nothing after the user disconnects, or while station mode owns the ports', async () => {
    const b = bench();
    let stationOff = true;
    const { controller } = makeController(b, () => stationOff);
    b.plugIn();
    await controller.connect(PORT, 'native');
    b.unplug();
    await vi.waitFor(() => expect(controller.view().connection).toBe('lost'));
    await controller.disconnect();
    b.plugIn();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(controller.view().connection).toBe('disconnected');

    await controller.connect(PORT, 'native');
    stationOff = false;
    b.unplug();
    await vi.waitFor(() => expect(controller.view()).toMatchObject({ connection: 'lost', reconnecting: false }));
    b.plugIn();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(controller.view().connection).toBe('lost');
  });

  it('stops knocking on a port that is back but cannot be opened, until it is unplugged again', async () => {
    const b = bench();
    const { controller } = makeController(b);
    b.plugIn();
    await controller.connect(PORT, 'native');
    b.unplug();
    await vi.waitFor(() => expect(controller.view().connection).toBe('lost'));

    // Back, but held by another program: every open fails.
    const opensBefore = b.opens;
    b.held = true;
    b.plugIn();
    await vi.waitFor(() => expect(b.opens - opensBefore).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(b.opens - opensBefore, 'three tries, then it waits').toBe(3);
    expect(controller.view()).toMatchObject({ connection: 'lost', reconnecting: true });

    // Unplugged and plugged in again, free this time: it reconnects.
    b.held = false;
    b.present.delete(PORT);
    const missed = b.missedChecks;
    await vi.waitFor(() => expect(b.missedChecks).toBeGreaterThan(missed));
    b.plugIn();
    await vi.waitFor(() => expect(controller.view().connection).toBe('connected'));
  });

  it('frees a port that opened but never said hello', async () => {
    const b = bench({ answers: false });
    const { controller } = makeController(b);
    b.plugIn();
    await expect(controller.connect(PORT, 'native')).rejects.toBeInstanceOf(BoardError);
    expect(b.links).toHaveLength(1);
    expect(b.links[0]!.host.isOpen).toBe(false);
    expect(controller.view().connection).toBe('disconnected');
  }, 15_000);
});

describe('BoardController port list', () => {
  it('lists USB serial ports with supported boards first, and leaves out UARTs and bootloaders', async () => {
    controller = new BoardController({
      discovery: {
        listPorts: async () => [
          { path: '/dev/ttyS0' },
          { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serialNumber: 'FT1' },
          { path: '/dev/ttyACM1', vendorId: '2341', productId: '004e' },
          { path: '/dev/ttyACM0', vendorId: '2341', productId: '804e', serialNumber: 'MKR1' },
        ],
      },
      onChange: () => undefined,
      onLog: () => undefined,
    });
    const ports = await controller.listPorts();
    expect(ports.map((port) => [port.path, port.board])).toEqual([
      ['/dev/ttyACM0', 'Arduino MKR1000'],
      ['/dev/ttyUSB0', null],
    ]);
  });
});

describe('a board running Arduino FirmwareUpdater sketch', () => {
  it('shows what that protocol can know, and nothing false', async () => {
    const board = new SimBoard({ boardKind: 'mkr1000' });
    const views: BoardView[] = [];
    const logs: string[] = [];
    controller = new BoardController({
      openTransport: async () => {
        const pair = createTransportPair();
        new FwUpdaterSim(board).attach(pair.board);
        return pair.host;
      },
      onChange: (view) => views.push(view),
      onLog: (_level, text) => logs.push(text),
    });
    const view = await controller.connect(PORT, 'fwupdater');
    expect(view).toMatchObject({
      connection: 'connected',
      protocol: 'fwupdater',
      firmwareVersion: 'Arduino FirmwareUpdater sketch',
      boardKind: null,
      uniqueId: null,
      wincChipId: null,
      wincFirmware: null,
      warnings: [],
    });
    expect(logs.join('\n')).toContain('Connected to the Arduino FirmwareUpdater sketch');
    expect(logs.join('\n')).not.toMatch(/Unknown SAM D21|did not answer/);
  });
});
