import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { Gate } from '../../src/gate/gate.js';
import { silentLogger } from '../../src/log.js';
import { SourceConnections } from '../../src/net/connections.js';
import { loadConfig, type Config } from '../../src/config.js';
import { gateTarget, startGateTcp } from '../../src/protocols/gate-tcp.js';
import { GateDeniedError, passGate } from '../../src/clients/gate-client.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { mintStamp } from '../gate/stamps.js';

const BITS = 8;

function newGate(): Gate {
  return new Gate({ secret: Buffer.from('a test secret of enough length'), purpose: 'tcp-test', bitsMin: BITS, bitsMax: BITS, challengeTtlS: 60, tokenTtlS: 60 });
}

const GATE_DEFAULTS = loadConfig({ defaultsFile: null }).gate;

/** The door's config on a free loopback port: the default gate section with these changes. */
const doorConfig = (overrides: Partial<Config['gate']>) => ({
  gate: { ...GATE_DEFAULTS, tcp_port: 0, resource: 'the secret', ...overrides },
  server: { host: '127.0.0.1' },
});

async function startDoor(t: TestContext, overrides: Partial<Config['gate']> = {}, gate = newGate()) {
  const door = await startGateTcp({ gate, config: doorConfig(overrides), logger: silentLogger });
  t.after(() => door.close());
  return door.address.port;
}

/** A line-reading client: `line()` resolves with the next line, `rest()` with everything until the server closes. */
function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1');
    wake();
  });
  socket.on('close', () => {
    ended = true;
    wake();
  });
  socket.on('error', () => {});
  const until = async (ready: () => boolean) => {
    while (!ready()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    send: (text: string | Buffer) => socket.write(text),
    async line(): Promise<string> {
      await until(() => received.includes('\n') || ended);
      const end = received.indexOf('\n');
      if (end === -1) throw new Error(`connection closed; pending '${received}'`);
      const line = received.slice(0, end);
      received = received.slice(end + 1);
      return line;
    },
    async rest(): Promise<string> {
      await until(() => ended);
      return received;
    },
    close: () => socket.destroy(),
  };
}

test('1: gives a challenge, a stamp for it gives the resource, then the connection closes', async (t) => {
  const port = await startDoor(t);
  const c = client(port);
  c.send('1:\n');
  const line = await c.line();
  assert.match(line, /^2:v1[0-9a-f]{92}$/);
  c.send(`3:${mintStamp(line.slice(2), BITS)}\n`);
  assert.equal(await c.rest(), '4:the secret\n');
});

test('pipelined lines on one connection are all answered, in order', async (t) => {
  const port = await startDoor(t);
  const c = client(port);
  c.send('1:\n1:\r\nnonsense\n1:\n3:not-a-stamp\n9:\n1:\n');
  const lines = [];
  for (let i = 0; i < 7; i++) lines.push(await c.line());
  assert.deepEqual(
    lines.map((l) => l.slice(0, 2)),
    ['2:', '2:', '0:', '2:', '0:', '0:', '2:'],
  );
  assert.equal(lines[2], "0:message must be '<command>:<payload>'");
  assert.equal(lines[4], "0:stamp must have 7 ':'-separated fields, got 1");
  assert.equal(lines[5], '0:unknown command 9');
  // Answering the last challenge still works on the same connection.
  c.send(`3:${mintStamp(lines[6]!.slice(2), BITS)}\n`);
  assert.equal(await c.line(), '4:the secret');
});

test('a stamp used twice, or twice at once on two connections, gets through exactly once', async (t) => {
  const port = await startDoor(t);
  const a = client(port);
  a.send('1:\n');
  const stamp = mintStamp((await a.line()).slice(2), BITS);
  const b = client(port);
  a.send(`3:${stamp}\n`);
  b.send(`3:${stamp}\n`);
  const answers = [(await a.line()), (await b.line())].sort();
  assert.deepEqual(answers, ['0:challenge already used', '4:the secret']);
  const c = client(port);
  c.send(`3:${stamp}\n`);
  assert.equal(await c.line(), '0:challenge already used');
  c.close();
  a.close();
  b.close();
});

test('garbage, short rand fields and binary input get 0: answers and never crash the server', async (t) => {
  const port = await startDoor(t);
  const c = client(port);
  c.send('3:1:8:261121:x::a:b\n3:1:8:261121:v1::a:0\n3:::::::\n');
  assert.equal(await c.line(), "0:challenge must be 'v1' and 92 lowercase hex characters");
  assert.equal(await c.line(), "0:challenge must be 'v1' and 92 lowercase hex characters");
  assert.match(await c.line(), /^0:stamp /);
  c.send(Buffer.from([0xff, 0x00, 0x3a, 0x0a]));
  assert.match(await c.line(), /^0:/);
  c.close();
  const d = client(port);
  d.send('1:\n');
  assert.match(await d.line(), /^2:/, 'the server still serves');
  d.close();
});

test('a wrong stamp over TCP says why', async (t) => {
  const port = await startDoor(t);
  const c = client(port);
  c.send('1:\n');
  const challenge = (await c.line()).slice(2);
  c.send(`3:${mintStamp(challenge, BITS, { claim: BITS - 1 })}\n`);
  assert.equal(await c.line(), `0:stamp claims ${BITS - 1} bits, the challenge asks ${BITS}`);
  const forged = challenge.slice(0, 20) + (challenge[20] === 'a' ? 'b' : 'a') + challenge.slice(21);
  c.send(`3:${mintStamp(forged, BITS)}\n`);
  assert.equal(await c.line(), '0:challenge signature is invalid');
  c.close();
});

test('an over-long line, with or without its newline, is refused and the connection closed', async (t) => {
  const port = await startDoor(t, { max_line_bytes: 64 });
  const a = client(port);
  a.send('1:\n' + 'x'.repeat(65) + '\n1:\n');
  assert.match(await a.line(), /^2:/, 'earlier lines are still answered first');
  assert.equal(await a.rest(), '0:line too long\n');
  const b = client(port);
  b.send('3:' + 'y'.repeat(200));
  assert.equal(await b.rest(), '0:line too long\n');
});

test('a client trickling a line one byte at a time is closed at the idle timeout (slowloris)', async (t) => {
  const port = await startDoor(t, { idle_timeout_ms: 300 });
  const c = client(port);
  const started = Date.now();
  const trickle = setInterval(() => c.send('1'), 50);
  t.after(() => clearInterval(trickle));
  assert.equal(await c.rest(), '0:idle timeout\n');
  assert.ok(Date.now() - started < 1500, `closed after ${Date.now() - started} ms`);
});

test('puzzle requests per connection and errors per connection are bounded', async (t) => {
  const port = await startDoor(t, { max_puzzles_per_connection: 2, max_errors_per_connection: 3 });
  const a = client(port);
  a.send('1:\n1:\n1:\n');
  assert.match(await a.line(), /^2:/);
  assert.match(await a.line(), /^2:/);
  assert.equal(await a.rest(), '0:too many puzzle requests on this connection\n');
  const b = client(port);
  b.send('x\nx\nx\nx\n');
  assert.equal(await b.rest(), "0:message must be '<command>:<payload>'\n".repeat(3) + '0:too many errors\n');
});

test('puzzle requests per source are bounded across connections', async (t) => {
  const gate = new Gate({
    secret: Buffer.from('a test secret of enough length'), purpose: 'tcp-test', bitsMin: BITS, bitsMax: BITS + 8,
    challengeTtlS: 60, tokenTtlS: 60, policy: { sourceFree: 1, sourceLimit: 3 },
  });
  const port = await startDoor(t, {}, gate);
  const answers = [];
  for (let i = 0; i < 4; i++) {
    const c = client(port);
    c.send('1:\n');
    answers.push(await c.line());
    c.close();
  }
  assert.deepEqual(answers.map((a) => a.slice(0, 2)), ['2:', '2:', '2:', '0:']);
  assert.equal(answers[3], '0:too many puzzle requests from your address; slow down');
  assert.deepEqual(answers.slice(0, 3).map((a) => parseInt(a.slice(14, 16), 16)), [BITS, BITS + 1, BITS + 1]);
});

test('a connection closed with a last line is cut even if its peer never ends its side, and frees its place', async (t) => {
  const port = await startDoor(t, { max_line_bytes: 64, max_connections_per_source: 1, refused_linger_ms: 50 });
  // allowHalfOpen: this peer takes the door's last line and end, and never ends its own side.
  const stubborn = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  t.after(() => stubborn.destroy());
  let received = '';
  stubborn.on('data', (chunk) => (received += chunk.toString()));
  stubborn.on('error', () => {});
  const ended = new Promise((resolve) => stubborn.once('end', resolve));
  stubborn.write('3:' + 'y'.repeat(200));
  await ended;
  assert.equal(received, '0:line too long\n');
  let answer = '';
  for (let attempt = 0; attempt < 40 && !answer.startsWith('2:'); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const next = client(port);
    next.send('1:\n');
    answer = await next.line().catch(() => '');
    next.close();
  }
  assert.match(answer, /^2:/, 'the address has its place back');
});

test('open connections per source are bounded; a closed one frees its place', async (t) => {
  const port = await startDoor(t, { max_connections_per_source: 2 });
  const first = client(port);
  const second = client(port);
  first.send('1:\n');
  second.send('1:\n');
  assert.match(await first.line(), /^2:/);
  assert.match(await second.line(), /^2:/);
  assert.equal(await client(port).rest(), '0:too many connections from your address\n');
  first.close();
  let answer = '';
  for (let attempt = 0; attempt < 50 && !answer.startsWith('2:'); attempt++) {
    const third = client(port);
    third.send('1:\n');
    answer = await third.line().catch(() => '');
    third.close();
  }
  assert.match(answer, /^2:/);
  second.close();
});

test('refused connections whose peers never close are cut, so they cannot fill the door for others', async (t) => {
  const door = await startGateTcp({
    gate: newGate(), logger: silentLogger,
    config: doorConfig({ max_connections_per_source: 1, max_connections: 3, refused_linger_ms: 50 }),
  });
  t.after(() => door.close());
  const port = door.address.port;
  const held = client(port);
  held.send('1:\n');
  assert.match(await held.line(), /^2:/);
  // allowHalfOpen: these peers take the refusal and the door's end, and never end their own side.
  const stubborn = [0, 1].map(() => connect({ port, host: '127.0.0.1', allowHalfOpen: true }));
  t.after(() => stubborn.forEach((socket) => socket.destroy()));
  await Promise.all(
    stubborn.map((socket) => new Promise((resolve) => socket.on('data', (chunk) => chunk.toString().startsWith('0:too many connections') && resolve(null)))),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Another address (all of 127/8 is loopback) still finds a place.
  const other = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
  t.after(() => other.destroy());
  other.write('1:\n');
  const answer = await new Promise<string>((resolve) => {
    let text = '';
    other.on('data', (chunk) => (text += chunk.toString()) && text.includes('\n') && resolve(text));
    other.on('close', () => resolve(text));
  });
  assert.match(answer, /^2:/);
  held.close();
});

test('connections are counted per IPv6 /64, as one client holds a whole /64', () => {
  const open = new SourceConnections(2);
  assert.ok(open.add('2001:db8:1:2::1'));
  assert.ok(open.add('2001:DB8:1:2:ffff:0:0:9'));
  assert.equal(open.add('2001:db8:1:2:3:4:5:6'), false, 'a third address of the same /64');
  assert.ok(open.add('2001:db8:1:3::1'), 'the next /64 is another source');
  assert.ok(open.add('192.0.2.1') && open.add('::ffff:192.0.2.1'));
  assert.equal(open.add('192.0.2.1'), false, 'an IPv4-mapped address is its IPv4 address');
  open.remove('2001:db8:1:2::1');
  assert.ok(open.add('2001:db8:1:2::77'), 'a closed connection frees its place');
});

test("stamps made by Debian's hashcash -m are accepted", async (t) => {
  if (!existsSync('/usr/bin/hashcash')) {
    if (process.env.CI === 'true') assert.fail('hashcash is not installed (apt-get install hashcash)');
    t.skip('hashcash is not installed (apt-get install hashcash)');
    return;
  }
  const port = await startDoor(t);
  const c = client(port);
  c.send('1:\n');
  const challenge = (await c.line()).slice(2);
  const { stdout } = await promisify(execFile)('/usr/bin/hashcash', ['-mq', '-b', String(BITS), challenge]);
  const stamp = stdout.trim();
  assert.match(stamp, new RegExp(`^1:${BITS}:\\d{6}:${challenge}::`));
  c.send(`3:${stamp}\n`);
  assert.equal(await c.rest(), '4:the secret\n');
});

test('a file resource is sent after 4: and the connection closed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-tcp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'quote.txt'), 'line one\nline two');
  const port = await startDoor(t, { resource: `@${join(dir, 'quote.txt')}`, upstream: '' });
  const c = client(port);
  c.send('1:\n');
  c.send(`3:${mintStamp((await c.line()).slice(2), BITS)}\n`);
  assert.equal(await c.rest(), '4:line one\nline two');
});

test('with an upstream, a verified connection is piped to it both ways, bytes sent early included', async (t) => {
  const echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  t.after(() => echo.close());
  const upstream = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
  const port = await startDoor(t, { resource: '', upstream });
  const c = client(port);
  c.send('1:\n');
  c.send(`3:${mintStamp((await c.line()).slice(2), BITS)}\nearly bytes\n`);
  assert.equal(await c.line(), '4:connected');
  assert.equal(await c.line(), 'early bytes');
  c.send('ping\n');
  assert.equal(await c.line(), 'ping');
  c.close();
});

test('an unreachable upstream is reported', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const port = await startDoor(t, { resource: '', upstream: `127.0.0.1:${deadPort}` });
  const c = client(port);
  c.send('1:\n');
  c.send(`3:${mintStamp((await c.line()).slice(2), BITS)}\n`);
  assert.equal(await c.rest(), '0:upstream unavailable\n');
});

test('gateTarget reads gate.resource and gate.upstream', () => {
  assert.deepEqual(gateTarget('hello', ''), { kind: 'text', text: 'hello' });
  assert.deepEqual(gateTarget('@/tmp/x', ''), { kind: 'file', path: '/tmp/x' });
  assert.deepEqual(gateTarget('hello', 'example.org:22'), { kind: 'upstream', host: 'example.org', port: 22 });
  assert.deepEqual(gateTarget('', '[::1]:8080'), { kind: 'upstream', host: '::1', port: 8080 });
  for (const bad of ['nohost', 'host:0', 'host:99999', 'a b:1']) assert.throws(() => gateTarget('', bad), /host:port/);
  assert.throws(() => gateTarget('two\nlines', ''), /one line/);
});

test('passGate (powerplant gate-client) does the whole exchange with the engine', async (t) => {
  const port = await startDoor(t, { resource: 'through the gate', upstream: '' });
  const engine = createInlineEngine(referenceBackend);
  let output = '';
  const challenge = await passGate({ host: '127.0.0.1', port, engine, output: (chunk) => (output += chunk) });
  assert.equal(output, 'through the gate\n');
  assert.equal(challenge.bits, BITS);
  await assert.rejects(
    passGate({ host: '127.0.0.1', port, engine, maxBits: BITS - 1, output: () => {} }),
    (error: unknown) => error instanceof GateDeniedError && /more than --max-bits/.test(error.message),
  );
});

test('passGate reports a gate that refuses', async (t) => {
  const port = await startDoor(t, { max_puzzles_per_connection: 0 });
  await assert.rejects(
    passGate({ host: '127.0.0.1', port, engine: createInlineEngine(referenceBackend), output: () => {} }),
    (error: unknown) => error instanceof GateDeniedError && error.message === 'the gate refused: too many puzzle requests on this connection',
  );
});

test('powerplant serve runs the TCP and HTTP gates, and powerplant gate-client gets through', async (t) => {
  const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const gatePort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dir = mkdtempSync(join(tmpdir(), 'gate-serve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'powerplant.toml');
  writeFileSync(config, '[gate]\nsecret = "an end-to-end test secret"\nbits_min = 8\nbits_max = 8\nresource = "hello from serve"\n');

  const server = spawn(process.execPath, [cli, 'serve', '--config', config, '--host', '127.0.0.1', '--port', '0', '--metanoia-port', '0',
    '--stratum-port', '0', '--gate-port', String(gatePort), '--threads', '1', '--engine', 'js', '--log-level', 'silent'], { cwd: dir });
  t.after(() => server.kill('SIGKILL'));
  let printed = '';
  server.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  while (!printed.includes(`gate 127.0.0.1:${gatePort}`)) {
    if (server.exitCode !== null) assert.fail(`serve exited with ${server.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const httpPort = /http:\/\/127\.0\.0\.1:(\d+)/.exec(printed)?.[1];
  const issued = (await (await fetch(`http://127.0.0.1:${httpPort}/gate/challenge`)).json()) as { bits: number; algorithm: string };
  assert.deepEqual([issued.bits, issued.algorithm], [8, 'sha256']);

  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'gate-client', `127.0.0.1:${gatePort}`, '--engine', 'js', '--threads', '1']);
  assert.equal(stdout, 'hello from serve\n');
});
