import { useEffect, useState } from 'react';
import type { FirmwareBoard, FirmwareImageView } from '../../../src-main/api/contract';
import { getBridge } from '../../api/bridge';
import { formatBytes } from '../../lib/format';
import { useBoardStore } from '../../stores/board-store';
import { attempt } from '../../stores/notice-store';
import { useRunStore } from '../../stores/run-store';

const BOARD_NAMES: Record<FirmwareBoard, string> = {
  'samd21-xpro': 'SAM D21 Xplained Pro (EDBG, via OpenOCD)',
  mkr1000: 'Arduino MKR1000 (SAM-BA bootloader)',
  'feather-m0-wifi': 'Adafruit Feather M0 WiFi (SAM-BA bootloader)',
};

/** One click puts the bundled WINC Cert Studio firmware on a board. */
export function FirmwareSection() {
  const ports = useBoardStore((state) => state.ports);
  const { programFirmware, running } = useRunStore();
  const [images, setImages] = useState<FirmwareImageView[]>([]);
  const [board, setBoard] = useState<FirmwareBoard>('mkr1000');
  const [chosenPort, setPort] = useState<string | null>(null);
  const port = chosenPort ?? ports.find((candidate) => !candidate.simulated && candidate.board !== null)?.path ?? '';

  useEffect(() => {
    let live = true;
    void attempt(() => getBridge().listFirmwareImages()).then((list) => {
      if (live && list) setImages(list);
    });
    return () => {
      live = false;
    };
  }, []);

  const image = images.find((candidate) => candidate.board === board);
  const needsPort = board !== 'samd21-xpro';
  return (
    <details className="firmware-section">
      <summary>Program the board&apos;s firmware</summary>
      <div className="form-grid">
        <label htmlFor="firmware-board">Board</label>
        <select id="firmware-board" value={board} onChange={(event) => setBoard(event.target.value as FirmwareBoard)}>
          {(Object.keys(BOARD_NAMES) as FirmwareBoard[]).map((id) => (
            <option key={id} value={id}>
              {BOARD_NAMES[id]}
            </option>
          ))}
        </select>
        {needsPort ? (
          <>
            <label htmlFor="firmware-port">Port</label>
            <input id="firmware-port" list="firmware-ports" value={port} placeholder="/dev/ttyACM0 or COM3" onChange={(event) => setPort(event.target.value)} />
            <datalist id="firmware-ports">
              {ports.map((candidate) => (
                <option key={candidate.path} value={candidate.path}>
                  {candidate.board ?? 'serial port'}
                </option>
              ))}
            </datalist>
          </>
        ) : null}
      </div>
      <p className="muted">{image ? `Bundled firmware ${image.version}, ${formatBytes(image.size)}.` : 'No bundled image for this board.'}</p>
      <button type="button" disabled={!image || running !== null || (needsPort && !port)} onClick={() => void programFirmware(board, needsPort ? port : null)}>
        Program firmware
      </button>
    </details>
  );
}
