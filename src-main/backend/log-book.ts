import type { LogLine } from '../api/contract.js';

const MAX_LINES = 20_000;

/** The app's log, kept for export; every line also streams to the renderer. */
export class LogBook {
  private readonly lines: LogLine[] = [];

  add(line: LogLine): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  text(): string {
    return this.lines.map((line) => `${line.time} ${line.source.padEnd(6)} ${line.level.padEnd(5)} ${line.text}`).join('\n') + '\n';
  }
}
