import { describe, expect, it } from 'vitest';
import { runCli } from './winc-cert.js';

function capture() {
  let err = '';
  return { io: { stdout: () => undefined, stderr: (text: string) => void (err += text) }, err: () => err };
}

async function firstLine(argv: string[]): Promise<{ code: number; line: string }> {
  const run = capture();
  const code = await runCli(argv, run.io);
  return { code, line: run.err().split('\n')[0]! };
}

describe('a mistyped option', () => {
  it('names the option that was meant when one is a typo away', async () => {
    expect(await firstLine(['provision', '--port', '/dev/ttyACM0', '--wifi-sid', 'Bench', 'a.cer'])).toEqual({ code: 2, line: "winc-cert provision: unknown option '--wifi-sid': did you mean --wifi-ssid?" });
    expect(await firstLine(['station', '--max-board', '3'])).toEqual({ code: 2, line: "winc-cert station: unknown option '--max-board': did you mean --max-boards?" });
    expect(await firstLine(['ca', 'init', '--dri', 'ca'])).toEqual({ code: 2, line: "winc-cert ca: unknown option '--dri': did you mean --dir?" });
  });

  it("does not send anyone to '--' for an option that is nothing like the command's", async () => {
    const { code, line } = await firstLine(['audit', 'verify', 'a.jsonl', '--frobnicate']);
    expect(code).toBe(2);
    expect(line).toBe("winc-cert audit: unknown option '--frobnicate' (the options are listed below)");
  });
});
