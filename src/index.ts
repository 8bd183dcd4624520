/**
 * Powerplant as a library: the server, one-off solving and verifying, the engine and the schemes.
 * The gate's middleware is `powerplant/gate`; each scheme's parsers are `powerplant/schemes/<name>`.
 * @module
 */
export { startServer, type RunningServer, type ServerDeps } from './server.js';
export { loadConfig, ConfigError, type Config, type LoadConfigOptions } from './config.js';
export { solve, verify, type SolveOptions } from './solve.js';
export { createEngine, type Engine, type EngineOptions, type Progress } from './engine/index.js';
export { InputError } from './schemes/bits.js';
export type { Scheme, SchemeName, Verdict } from './schemes/scheme.js';
export { nostr } from './schemes/nostr.js';
export { nano } from './schemes/nano.js';
export { bitmessage } from './schemes/bitmessage.js';
export { bitcoin } from './schemes/bitcoin.js';
export { hashcash } from './schemes/hashcash.js';
