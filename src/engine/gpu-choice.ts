/**
 * Which OpenCL devices join the engine (`pow.gpu`, `--gpu`): "auto" (every GPU and accelerator,
 * no CPU device), "off", or device numbers as `powerplant bench` lists them ("0,2"). Parsed here,
 * at the edge; whether the named devices exist is known only once OpenCL is asked (gpu.ts).
 * @module
 */
import { InputError } from '../errors.js';

export type GpuChoice = 'auto' | 'off' | readonly number[];

/** The OpenCL host lists at most this many devices (PP_GPU_MAX_DEVICES in native/src/opencl/host.h). */
export const MAX_OPENCL_DEVICES = 16;

export const GPU_CHOICE_HELP = `"auto", "off" or OpenCL device numbers such as "0,2" (0 to ${MAX_OPENCL_DEVICES - 1})`;

/** Parse a `pow.gpu` / `--gpu` value; throws InputError naming `label` and what is accepted. */
export function parseGpuChoice(text: string, label = 'pow.gpu'): GpuChoice {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'auto' || trimmed === 'off') return trimmed;
  const refuse = (why: string): never => {
    throw new InputError(`${label} ${why}: it must be ${GPU_CHOICE_HELP}`);
  };
  const entries = trimmed.split(',').map((entry) => entry.trim());
  const devices = entries.map((entry) => {
    if (!/^\d{1,2}$/.test(entry) || Number(entry) >= MAX_OPENCL_DEVICES) refuse(`has "${text}"`);
    return Number(entry);
  });
  if (new Set(devices).size !== devices.length) refuse(`names a device twice in "${text}"`);
  return devices;
}

/** Whether `text` parses, for the config schema (which reports its own message). */
export function isGpuChoice(text: string): boolean {
  try {
    parseGpuChoice(text);
    return true;
  } catch {
    return false;
  }
}
