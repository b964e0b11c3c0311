import { PROVE_BODY_MAX } from '../protocol/constants.js';
import type { ProveResult } from '../protocol/messages.js';
import { simError, type SimBoardContext } from './sim-board.js';
import { rsaClientIdentity } from './sim-identity.js';
import { joinWifi, type SimJobDeps } from './sim-job.js';
import { WincTlsConnection } from './sim-tls.js';

export interface SimProveRequest {
  host: string;
  port: number;
  sni: string;
  path: string;
  bypassServerVerification: boolean;
  validateServerName: boolean;
}

/**
 * PROVE_IDENTITY on the simulated module: back to normal mode if the WINC is in download mode,
 * join the Wi-Fi if not joined, open TLS presenting the TLS store's RSA identity when the server
 * asks for a client certificate, GET the path and answer its status and the start of its body.
 */
export async function runSimProve(ctx: SimBoardContext, request: SimProveRequest, deps: SimJobDeps): Promise<ProveResult> {
  if (ctx.wincMode() === 'download') {
    ctx.emit({ kind: 'state', state: 'running', phase: 'reinit' });
    await ctx.restartWinc();
    ctx.emit({ kind: 'winc-ready', wincChipId: 0x1503a0, wincFirmware: ctx.wincFirmware });
    ctx.log('WINC re-initialised');
  }
  await ctx.wincStarted();
  if (!ctx.wifiJoined()) ctx.emit({ kind: 'state', state: 'running', phase: 'wifi-connect' });
  await joinWifi(ctx, deps);
  if (ctx.signal.aborted) throw simError('CANCELLED', 'prove', 'cancelled');
  ctx.emit({ kind: 'state', state: 'running', phase: 'prove' });
  const identity = rsaClientIdentity(ctx.flash.read(ctx.layout.tlsStore.offset, ctx.layout.tlsStore.size), ctx.layout);
  ctx.log(identity ? `prove: client certificate ${identity.leaf.subjectText} (serial ${Buffer.from(identity.leaf.serialNumber).toString('hex')}) from the TLS store` : 'prove: the TLS store holds no RSA identity; no client certificate');
  const connection = await WincTlsConnection.open(ctx, {
    host: request.host,
    port: request.port,
    sni: request.sni,
    validateServerName: request.validateServerName,
    bypassServerVerification: request.bypassServerVerification,
    phase: 'prove',
    ...(deps.ciphers ? { ciphers: deps.ciphers } : {}),
    ...(deps.connectTimeoutMs ? { connectTimeoutMs: deps.connectTimeoutMs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const body: Buffer[] = [];
  let kept = 0;
  try {
    const head = await connection.get({
      path: request.path,
      close: true,
      onBody: (part) => {
        const take = Math.min(part.length, PROVE_BODY_MAX - kept);
        if (take > 0) body.push(part.subarray(0, take));
        kept += take;
      },
    });
    ctx.log(`prove: ${head.statusLine}`);
    return { httpStatus: head.status, body: Uint8Array.from(Buffer.concat(body)) };
  } finally {
    connection.close();
  }
}
