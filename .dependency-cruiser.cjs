/**
 * The architecture rules (docs/architecture.md), checked by `npm test`: no import cycle, and none
 * of the directions that must never exist. Sources are read as TypeScript (swc), so type-only
 * imports count too.
 */
const layer = (name) => `^src/${name}/`;

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
    {
      name: 'engine-knows-no-door-broker-or-source',
      severity: 'error',
      from: { path: layer('engine') },
      to: { path: [layer('protocols'), layer('broker'), layer('sources'), layer('clients'), '^src/server[.]ts$'] },
    },
    {
      name: 'doors-submit-to-the-broker',
      comment: 'A door never reaches a source or the engine: it submits to the broker.',
      severity: 'error',
      from: { path: layer('protocols') },
      to: { path: [layer('sources'), layer('engine'), '^src/server[.]ts$'] },
    },
    {
      name: 'sources-know-no-door',
      severity: 'error',
      from: { path: layer('sources') },
      to: { path: [layer('protocols'), '^src/server[.]ts$'] },
    },
    {
      name: 'broker-knows-no-door-or-source',
      severity: 'error',
      from: { path: layer('broker') },
      to: { path: [layer('protocols'), layer('sources'), layer('clients'), '^src/server[.]ts$'] },
    },
    {
      name: 'net-knows-no-door-or-client',
      comment: 'net/ lies under doors and clients alike.',
      severity: 'error',
      from: { path: layer('net') },
      to: { path: [layer('protocols'), layer('clients'), layer('sources'), layer('broker'), layer('engine')] },
    },
    {
      name: 'clients-use-no-door',
      comment: 'Clients (miner, agent, gate client) speak to doors over the network, never by import.',
      severity: 'error',
      from: { path: layer('clients') },
      to: { path: [layer('protocols'), layer('sources'), layer('broker'), '^src/server[.]ts$'] },
    },
    {
      name: 'stores-know-no-cluster',
      comment: 'The Redis key scheme lives in stores/; the cluster builds on the stores, not the other way.',
      severity: 'error',
      from: { path: layer('stores') },
      to: { path: layer('cluster') },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules/' },
  },
};
