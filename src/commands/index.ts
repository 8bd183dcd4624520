/** Every CLI command, in the order `powerplant --help` lists them. */
import type { Command } from 'commander';
import { register as solve } from './solve.js';
import { register as verify } from './verify.js';
import { register as bench } from './bench.js';
import { register as serve } from './serve.js';
import { register as gateClient } from './gate-client.js';
import { register as miner } from './miner.js';
import { register as agent } from './agent.js';
import { register as worker } from './worker.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [solve, verify, bench, serve, gateClient, miner, agent, worker];
