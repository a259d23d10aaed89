import test from 'ava';
import { MemoryOutbox } from '../../src/core/outbox.js';
import { outboxContract } from '../contracts/outbox-contract.js';

outboxContract(test, 'memory outbox', { create: (capacity) => new MemoryOutbox(capacity) });
