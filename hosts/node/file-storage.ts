// Storage on files: one file per record in a directory, replaced atomically (write temp, fsync, rename,
// fsync the directory), so after kill -9 or power loss a record holds its old or its new value, never a torn one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FieldproofError } from '../../src/core/errors.js';
import type { Storage } from '../../src/core/host.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class FileStorage implements Storage {
  readonly dir: string;

  constructor(dir: string) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new FieldproofError('FP_E_DATA_DIR', `cannot create data directory ${dir}: ${(error as Error).message}`, { cause: error });
    }
    this.dir = dir;
  }

  get(name: string): Uint8Array | undefined {
    checkName(name);
    try {
      return new Uint8Array(readFileSync(join(this.dir, name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  set(name: string, value: Uint8Array): void {
    checkName(name);
    writeFileAtomic(join(this.dir, name), value, this.dir);
  }
}

export function writeFileAtomic(path: string, data: Uint8Array | string, dir: string, mode = 0o600): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dir);
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`name: "${name}" is not a valid record name`);
}

