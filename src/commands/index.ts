/** Every CLI command, in the order `powerplant --help` lists them. */
import type { Command } from 'commander';
import { register as solve } from './solve.js';
import { register as verify } from './verify.js';
import { register as bench } from './bench.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [solve, verify, bench];
