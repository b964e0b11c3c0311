export { KeyError, type KeyErrorCode } from './errors.js';
export { readPrivateKey, readPrivateKeyWithContainer, type EcKeyCurve, type EcPrivateKey, type PrivateKeyContainer, type PrivateKeyInfo, type RsaPrivateKey } from './private-key.js';
export { privateKeyMatchesPublicKey } from './key-match.js';
