/**
 * `powerplant serve`: run the server until SIGINT/SIGTERM, then shut down gracefully (stop
 * accepting, give jobs in flight server.shutdown_timeout_ms, close the engine, exit 0).
 * @module
 */
import { Option, type Command } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.js';
import { describeEnv } from '../config-env.js';
import { startServer, type RunningServer } from '../server.js';
import { writeStderr } from '../log.js';
import { GPU_FLAG_HELP } from './common.js';
import { EXIT_FAILURE, EXIT_OK } from './output.js';

interface ServeFlags extends ConfigFlags {
  readonly config?: string;
}

const environmentHelp = (): string => `
Environment (overrides --config; flags override it): every config key as POWERPLANT_<SECTION>_<KEY>,
lists separated by ',' or ';' (e.g. POWERPLANT_SERVER_PORT=8080, POWERPLANT_GATE_BITS_MIN=20):
${describeEnv(loadConfig({ defaultsFile: null }))}
  HOST, PORT, URLS (Nano upstreams), REDIS_URL: short names for server.host, server.port,
    nano.upstreams and cluster.redis, used when the POWERPLANT_ name is not set
  POWERPLANT_NO_NATIVE=1: do not load the native addon (WebAssembly kernels)
  POWERPLANT_NO_WASM_SIMD=1: the scalar WebAssembly build
  POWERPLANT_KERNEL=scalar: the native addon's portable kernels only
`;

/** Extra time past the jobs' grace period for doors and the engine to close. */
const CLOSE_MARGIN_MS = 3000;

/** Human lines go to stderr: stdout carries the JSON logs alone, for log shippers. */
function printAddresses(server: RunningServer): void {
  const { http, ...doors } = server.addresses;
  const host = http.host.includes(':') ? `[${http.host}]` : http.host;
  writeStderr(`powerplant listening http://${host}:${http.port} (Nostr WebSocket: ws://${host}:${http.port}/)\n`);
  for (const [name, address] of Object.entries(doors)) {
    writeStderr(`powerplant listening ${name} ${address.host}:${address.port}\n`);
  }
}

function shutDownOnSignals(server: RunningServer, graceMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the user does not want to wait.
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      server.logger.error('shutdown took too long; exiting');
      process.exit(EXIT_FAILURE);
    }, graceMs + CLOSE_MARGIN_MS);
    deadline.unref();
    server.close().then(
      () => {
        server.logger.info('stopped');
        process.exit(EXIT_OK);
      },
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the Nostr WebSocket and Nano work APIs (and the other doors the config enables)')
    .option('--config <file>', 'TOML file layered over config/default.toml')
    .option('--host <address>', 'bind address of every door: HTTP/WebSocket, Metanoia, Stratum, gate (server.host)')
    .option('--port <n>', 'HTTP/WebSocket port, 0 for any free port (server.port)')
    .option('--metanoia-port <n>', 'Metanoia TCP port, 0 disables (metanoia.port)')
    .option('--stratum-port <n>', 'Stratum TCP port, 0 disables (stratum.port)')
    .option('--gate-port <n>', 'gate TCP port, 0 disables (gate.tcp_port)')
    .option('--gate-upstream <url>', 'website to put behind the gate: runs its reverse proxy (gate.http.upstream)')
    .option('--gate-http-port <n>', "the gate's reverse proxy port (gate.http.port)")
    .option('--share-difficulty <d>', 'Stratum share difficulty (stratum.share_difficulty)')
    .option('--block-bits <hex8>', "built-in chain's nBits (stratum.block_bits)")
    .option('--node-url <url>', 'Bitcoin node RPC for Stratum block templates, http://user:pass@host:port/ (stratum.node_url)')
    .option('--payout-address <address>', "coinbase payout address on the node's chain (stratum.payout_address)")
    .option('--threads <n>', 'engine threads (pow.threads)')
    .addOption(new Option('--engine <backend>', 'search backend (pow.backend)').choices(['auto', 'native', 'wasm', 'js']))
    .option('--nice', 'search threads at the lowest scheduling priority (pow.nice)')
    .option('--gpu <devices>', `${GPU_FLAG_HELP} (pow.gpu)`)
    .option('--redis <url>', 'Redis URL for cluster mode (cluster.redis)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (log.level)')
    .option('--state-dir <dir>', 'where the generated gate secret is kept (server.state_dir; default $XDG_STATE_HOME/powerplant or ~/.local/state/powerplant)')
    .addHelpText('after', environmentHelp)
    .action(async (flags: ServeFlags) => {
      const config = loadConfig({ file: flags.config, env: process.env, flags });
      const server = await startServer(config);
      shutDownOnSignals(server, config.server.shutdown_timeout_ms);
      printAddresses(server);
    });
}
