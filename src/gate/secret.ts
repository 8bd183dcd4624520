/**
 * The gate secret: the configured one, or 32 random bytes generated on first run and kept in a
 * file only the owner can read, so that challenges and tokens survive a restart.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../schemes/bits.js';

/** Shorter configured secrets are refused: HMAC keys need the entropy. */
export const MIN_SECRET_LENGTH = 16;

const SECRET_FILE_SHAPE = /^[0-9a-f]{64}\n?$/;

function readSecretFile(path: string): Buffer {
  const mode = statSync(path).mode;
  if ((mode & 0o077) !== 0) {
    throw new InputError(`gate secret file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const text = readFileSync(path, 'utf8');
  if (!SECRET_FILE_SHAPE.test(text)) throw new InputError(`gate secret file ${path} must hold 64 hex characters`);
  return Buffer.from(text.trim(), 'hex');
}

/**
 * The configured secret (UTF-8), or the one kept in `file` (created, mode 0600, when missing;
 * `onCreated` then hears where, so the operator learns of the file once).
 */
export function resolveGateSecret(configured: string, file: string, onCreated?: (path: string) => void): Buffer {
  if (configured !== '') {
    if (configured.length < MIN_SECRET_LENGTH) throw new InputError(`gate.secret must be at least ${MIN_SECRET_LENGTH} characters`);
    return Buffer.from(configured, 'utf8');
  }
  const path = resolve(file);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Written whole under a private name, then linked into place: link() fails when the file
    // exists, so processes starting at once all end up with the first one's complete secret.
    const draft = `${path}.${process.pid}.tmp`;
    writeFileSync(draft, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    try {
      linkSync(draft, path);
      onCreated?.(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  return readSecretFile(path);
}
