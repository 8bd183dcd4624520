/**
 * The gate's Prometheus counter: challenges issued, solutions passed, and refusals by reason, so an
 * operator sees an attack (forged, spent, insufficient...) as it happens.
 * @module
 */
import { Counter, type Registry } from 'prom-client';
import type { GateEvent } from './gate.js';

export function countGateEvents(registry: Registry): (event: GateEvent) => void {
  const counter = new Counter({
    name: 'powerplant_gate_events_total',
    help: 'Gate challenges issued, solutions passed, and refusals by reason',
    labelNames: ['event'],
    registers: [registry],
  });
  return (event) => counter.inc({ event });
}
