/** Edit distance (insertions, deletions, substitutions) between two short words. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * node:util parseArgs says "Unknown option '--wifi-sid'. To specify a positional argument starting
 * with a '-', place it at the end of the command after '--', …", which sends a person the wrong way.
 * This says which option was not understood and, when one of the command's options is a typo away,
 * which one was meant. Other messages pass through unchanged.
 */
export function explainUnknownOption(message: string, usage: string): string {
  const match = /^Unknown option '(-{1,2}[^']+)'/u.exec(message);
  if (!match) return message;
  const given = match[1]!;
  const known = [...new Set(usage.match(/--[a-z][a-z0-9-]*/gu) ?? [])];
  const ranked = known.map((option) => ({ option, cost: distance(given, option) })).sort((x, y) => x.cost - y.cost);
  const best = ranked[0];
  const close = best && best.cost <= Math.max(2, Math.floor(given.length / 5)) && ranked.filter((r) => r.cost === best.cost).length === 1 ? best.option : undefined;
  return close ? `unknown option '${given}': did you mean ${close}?` : `unknown option '${given}' (the options are listed below)`;
}
