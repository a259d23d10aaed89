// The ledger schema of version 1, as real version 1 stores were created (test/vectors/ledger-schema-v1.json), for
// the migration tests.
import type { Dialect } from '../../../src/verifier/ledger/schema.js';
import { loadVectors } from '../../helpers/vectors.js';

interface SchemaVector {
  dialect: Dialect;
  version: number;
  statements: string[];
}

export function schemaV1(dialect: Dialect): string[] {
  const vector = loadVectors<SchemaVector>('ledger-schema-v1.json').vectors.find((v) => v.dialect === dialect && v.version === 1);
  if (!vector) throw new Error(`test/vectors/ledger-schema-v1.json: no ${dialect} schema`);
  return vector.statements;
}
