import type { CliCommand } from '../command.js';
import { firmwareCommand } from './firmware.js';
import { inspectCommand } from './inspect.js';
import { rootCommand } from './root.js';
import { tlsCommand } from './tls.js';
import { decodeCommand } from './decode.js';
import { serveCommand } from './serve.js';
import { simCommand } from './sim.js';
import { boardCommand } from './board.js';
import { provisionCommand } from './provision.js';
import { caCommand } from './ca.js';
import { auditCommand } from './audit.js';
import { emuCommand } from './emu.js';
import { stationCommand } from './station.js';

/**
 * Every top-level `winc-cert` command. Each feature owns its own file in this
 * folder and adds exactly one line here.
 */
export const COMMANDS: CliCommand[] = [
  firmwareCommand,
  inspectCommand,
  rootCommand,
  tlsCommand,
  decodeCommand,
  serveCommand,
  simCommand,
  boardCommand,
  provisionCommand,
  caCommand,
  auditCommand,
  emuCommand,
  stationCommand,
];
