/** What a first-time user meets on the command line: help, exit codes, messages that say what to do. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, CLI_ENV, runCli } from './helpers/cli.js';
import { loadConfig } from '../src/config.js';
import { createInlineEngine } from '../src/engine/inline.js';
import { referenceBackend } from '../src/engine/reference.js';
import { startServer } from '../src/server.js';

const ROOT = '718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2';
/** docs/api.md's work_validate example: valid at the receive threshold, not at the send one. */
const RECEIVE_WORK = '2bf29ef00786a6bc';
const QUIET_DOORS = ['--host', '127.0.0.1', '--metanoia-port', '0', '--stratum-port', '0', '--gate-port', '0', '--threads', '1', '--engine', 'js'];

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

/**
 * Start `powerplant serve` and wait for its human line (stderr) matching `ready`; `logs()` is what
 * it printed on stdout (its JSON log lines), all of it once it has exited.
 */
function serve(args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...CLI_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const started = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (ready.test(stderr)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code} before it was ready: ${stderr}`)));
  });
  // 'close' comes after the output streams end, so logs() is whole by then.
  const stopped = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, started, stopped, logs: () => stdout };
}

test('verify nano takes --receive and --multiplier like solve nano (the api.md receive example is valid)', async () => {
  const check = (...flags: string[]) => runCli(['verify', 'nano', '--hash', ROOT, '--work', RECEIVE_WORK, ...flags]);
  assert.equal((await check('--receive')).code, 0);
  assert.equal((await check()).code, 1, 'below the send threshold');
  assert.equal((await check('--multiplier', '0.125')).code, 0);
  assert.equal((await check('--multiplier', '0.25')).code, 1);
  const both = await check('--receive', '--multiplier', '2');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /at most one of --difficulty, --multiplier and --receive/);
});

test('solve nano past the server cap warns with the expected attempts; Ctrl-C exits 130', async (t) => {
  const child = spawn(process.execPath, [CLI, 'solve', 'nano', '--hash', ROOT, '--multiplier', '1000', '--engine', 'js', '--threads', '1'], {
    env: CLI_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve) =>
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('\n')) resolve();
    }),
  );
  assert.match(stderr, /^powerplant: multiplier 1000 needs about 5\.4e\+11 attempts on average \(Powerplant servers refuse above 64, nano\.max_multiplier\); Ctrl-C stops\n/);
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(stderr, /powerplant: interrupted\n$/);
});

test('--engine native without the addon points at the flag that exists', async () => {
  const result = await runCli(['solve', 'hashcash', '--resource', 'a', '--bits', '1', '--engine', 'native'], { env: { POWERPLANT_NO_NATIVE: '1' } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /use --engine auto or wasm/);
  assert.doesNotMatch(result.stderr, /--backend/);
});

test('serve --help: --host binds every door, --state-dir, and the environment variables', async () => {
  const help = await runCli(['serve', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--host <address> +bind address of every door/);
  assert.match(help.stdout, /--state-dir <dir>/);
  assert.match(help.stdout, /POWERPLANT_GATE_\{[A-Z_,]*BITS_MIN/);
  assert.match(help.stdout, /POWERPLANT_SERVER_\{HOST,PORT,/);
  assert.match(help.stdout, /HTTP_UPSTREAM,\s*HTTP_PORT,/, 'keys of gate.http as POWERPLANT_GATE_HTTP_*');
  assert.match(help.stdout, /POWERPLANT_NO_NATIVE=1/);
});

test('a busy port: serve names the door and how to change it, exit 2, no stack trace', async (t) => {
  const busy = await occupiedPort();
  t.after(() => busy.server.close());
  const http = await runCli(['serve', ...QUIET_DOORS, '--port', String(busy.port)], { timeoutMs: 20_000 });
  assert.equal(http.code, 2);
  assert.equal(
    http.stderr,
    `powerplant: the http door cannot listen on 127.0.0.1:${busy.port}: the port is in use (by another powerplant serve, or another program); ` +
      'choose another port with --port, server.port or POWERPLANT_SERVER_PORT (0 picks a free port)\n',
  );
  const gate = await runCli(['serve', ...QUIET_DOORS, '--port', '0', '--gate-port', String(busy.port)], { timeoutMs: 20_000 });
  assert.equal(gate.code, 2);
  assert.match(gate.stderr, new RegExp(`^powerplant: the gate door cannot listen on 127\\.0\\.0\\.1:${busy.port}: .*--gate-port, gate\\.tcp_port or POWERPLANT_GATE_TCP_PORT \\(0 disables the door\\)\\n$`));
  const proxyArgs = ['--port', '0', '--gate-upstream', 'http://127.0.0.1:9', '--gate-http-port', String(busy.port)];
  const proxy = await runCli(['serve', ...QUIET_DOORS, ...proxyArgs], { timeoutMs: 20_000 });
  assert.equal(proxy.code, 2);
  assert.match(
    proxy.stderr,
    new RegExp(
      `^powerplant: the gate-proxy door cannot listen on 127\\.0\\.0\\.1:${busy.port}: .*--gate-http-port, gate\\.http\\.port or POWERPLANT_GATE_HTTP_PORT ` +
        '\\(0 picks a free port; an empty gate\\.http\\.upstream disables the door\\)\\n$',
    ),
  );
});

test('the generated gate secret goes to the XDG state directory, and serve says so once', async () => {
  const state = mkdtempSync(join(tmpdir(), 'powerplant-xdg-'));
  const secret = join(state, 'powerplant', 'gate-secret');
  const ready = /powerplant listening http:/;
  const first = serve([...QUIET_DOORS, '--port', '0'], { XDG_STATE_HOME: state }, ready);
  await first.started;
  first.child.kill('SIGTERM');
  assert.equal(await first.stopped, 0);
  const printed = first.logs();
  assert.ok(existsSync(secret));
  assert.equal(statSync(secret).mode & 0o777, 0o600);
  const announcements = printed.split('\n').filter((line) => line.includes('gate: generated a secret'));
  assert.equal(announcements.length, 1, printed);
  assert.equal((JSON.parse(announcements[0]!) as { file: string }).file, secret);

  const again = serve([...QUIET_DOORS, '--port', '0'], { XDG_STATE_HOME: state }, ready);
  await again.started;
  again.child.kill('SIGTERM');
  assert.equal(await again.stopped, 0);
  const second = again.logs();
  assert.doesNotMatch(second, /generated a secret/, 'a kept secret is not announced again');
});

test('gate-client against the default gate prints its greeting', async (t) => {
  const free = await occupiedPort();
  await new Promise<void>((resolve) => free.server.close(() => resolve()));
  const flags = { host: '127.0.0.1', port: 0, metanoiaPort: 0, stratumPort: 0, gatePort: free.port, logLevel: 'silent', threads: 1 };
  const config = loadConfig({ flags: { ...flags, stateDir: mkdtempSync(join(tmpdir(), 'powerplant-gate-')) } });
  const server = await startServer(config, { engine: createInlineEngine(referenceBackend) });
  t.after(() => server.close());
  const result = await runCli(['gate-client', `127.0.0.1:${free.port}`, '--engine', 'js', '--threads', '1']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Welcome through the Powerplant gate\. .*gate\.resource.*gate\.upstream\.\n$/);
});
