/**
 * The architecture rules (docs/architecture.md), checked by `npm test`: no import cycle, and none
 * of the directions that must never exist. Sources are read as TypeScript (swc), so type-only
 * imports count too.
 */
const layer = (name) => `^src/${name}/`;
const SERVER = '^src/server[.]ts$';

/** A direction that must never exist: `from` importing any of `to`. */
const never = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Every import cycle, type-only ones included, is a layer knowing a layer above it.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'schemes-are-pure',
      comment: 'A scheme imports nothing of ours but the other scheme modules (bits among them) and the error registry.',
      severity: 'error',
      from: { path: layer('schemes') },
      to: { path: '^src/', pathNot: [layer('schemes'), '^src/errors[.]ts$'] },
    },
    never('engine-knows-no-door-broker-or-source', 'The engine searches tasks; who asked is none of its business.', layer('engine'), [
      layer('protocols'),
      layer('broker'),
      layer('sources'),
      layer('clients'),
      SERVER,
    ]),
    never('doors-submit-to-the-broker', 'A door never reaches a source or the engine: it submits to the broker.', layer('protocols'), [
      layer('sources'),
      layer('engine'),
      SERVER,
    ]),
    never('sources-know-no-door', 'A source never knows which door asked.', layer('sources'), [layer('protocols'), SERVER]),
    never('broker-knows-no-door-or-source', 'The broker speaks to doors and sources through its contracts only.', layer('broker'), [
      layer('protocols'),
      layer('sources'),
      layer('clients'),
      SERVER,
    ]),
    never('net-knows-no-door-or-client', 'net/ lies under doors and clients alike.', layer('net'), [
      layer('protocols'),
      layer('clients'),
      layer('sources'),
      layer('broker'),
      layer('engine'),
    ]),
    never('clients-use-no-door', 'Clients speak to doors over the network, never by import.', layer('clients'), [
      layer('protocols'),
      layer('sources'),
      layer('broker'),
      SERVER,
    ]),
    {
      name: 'dashboard-only-reads',
      comment: 'The dashboard reads stats through contracts and public faces: no source, door, client or command, and of the engine its public face (engine.ts) alone.',
      severity: 'error',
      from: { path: layer('dashboard') },
      to: { path: [layer('sources'), layer('protocols'), layer('clients'), layer('commands'), layer('engine'), SERVER], pathNot: '^src/engine/engine[.]ts$' },
    },
    {
      name: 'only-the-server-serves-the-dashboard',
      comment: 'The dashboard sits on top: the server wires it, nothing else knows it.',
      severity: 'error',
      from: { path: '^src/', pathNot: [layer('dashboard'), SERVER] },
      to: { path: layer('dashboard') },
    },
    never('stores-know-no-cluster', 'The Redis key scheme lives in stores/; the cluster builds on the stores.', layer('stores'), [layer('cluster')]),
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules/' },
  },
};
