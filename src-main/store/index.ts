/** Public API of the certificate-store engine (pure: no file or network I/O). */
export * from './errors.js';
export * from './flash-layout.js';
export { wincNameHash } from './name-hash.js';
export * from './root-store.js';
export * from './root-merge.js';
export * from './tls-store.js';
export * from './tls-chain.js';
export * from './tls-tail.js';
export * from './priv-key-file.js';
export * from './section-detect.js';
export { crc32 } from './crc32.js';
