// The one loader of test vectors: data files under test/vectors/, each recording its source.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../test/vectors/', import.meta.url));

export interface VectorFile<V> {
  source: string;
  vectors: V[];
}

export function loadVectors<V>(name: string): VectorFile<V> {
  const file = JSON.parse(readFileSync(root + name, 'utf8')) as VectorFile<V>;
  if (typeof file.source !== 'string' || !Array.isArray(file.vectors) || file.vectors.length === 0) {
    throw new Error(`test/vectors/${name}: expected {source, vectors: [...]} with at least one vector`);
  }
  return file;
}

export const vectorsDir = root;
