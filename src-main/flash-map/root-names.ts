/**
 * The names of the roots a module holds, by WINC name hash: the generated table
 * (known-roots.generated.ts, see root-name-table.ts and `npm run gen:root-names`).
 */
import { KNOWN_ROOT_NAMES } from './known-roots.generated.js';
import type { RootNameEntry } from './root-name-table.js';

let table: Map<string, RootNameEntry> | undefined;

/** The known name of a root by its name hash (hex), if the table has it. */
export function knownRootName(hashHex: string): RootNameEntry | undefined {
  table ??= new Map(KNOWN_ROOT_NAMES.map(([hash, name, origin]) => [hash, { hash, name, origin }]));
  return table.get(hashHex.toLowerCase());
}
