// The one registry of fieldproof error codes. Every code here is documented in docs/ERRORS.md (a test checks
// both directions). Bad *readings* are not errors: they get verdict reason codes. These are for a broken
// config, key, store or connection: things an operator must fix.

export const ERROR_CODES = Object.freeze({
  FP_E_CONFIG_MISSING: 'the config file does not exist',
  FP_E_CONFIG_INVALID: 'the config file is not valid JSON or a field is wrong',
  FP_E_KEY_CORRUPT: 'the key file exists but cannot be read as a key; it is never overwritten',
  FP_E_KEY_MISSING: 'no key file and creating one was not allowed',
  FP_E_SEQ_MISSING: 'the sequence record is missing for an existing key',
  FP_E_SEQ_CORRUPT: 'the sequence record cannot be read',
  FP_E_SEQ_EXHAUSTED: 'no sequence numbers left for this key',
  FP_E_OUTBOX_CORRUPT: 'the outbox file is damaged beyond its torn tail',
  FP_E_OUTBOX_LOCKED: 'another process holds the outbox',
  FP_E_BROKER_UNREACHABLE: 'the MQTT broker cannot be reached',
  FP_E_BROKER_URL: 'the broker URL is not a valid mqtt:// or mqtts:// URL',
  FP_E_PORT_IN_USE: 'the port for the embedded broker is taken',
  FP_E_DATA_DIR: 'the data directory cannot be created or written',
  FP_E_LEDGER_UNAVAILABLE: 'the ledger database cannot be opened or reached',
  FP_E_LEDGER_SCHEMA: 'the ledger database has a schema version this verifier does not know',
  FP_E_SIM_OPTIONS: 'the simulation options contradict each other',
  FP_E_SIM_REGISTER: 'the simulator could not register one of its devices with the verifier',
  FP_E_SIM_STALLED: 'the simulated fleet did not settle in time',
  FP_E_TOOLCHAIN_MISSING: 'the Moddable SDK or ESP-IDF needed to build and flash the firmware is not installed',
  FP_E_SERIAL_PORT: 'the serial port of the device cannot be opened or read',
  FP_E_DEVICE_TIMEOUT: 'the device did not answer on its serial console in time',
  FP_E_REGISTRATION_REFUSED: 'the verifier refused to register the device',
  FP_E_NATIVE_CRYPTO: 'libsodium (sodium-native), which verifies signatures, cannot be loaded',
});

export type ErrorCode = keyof typeof ERROR_CODES;

export class FieldproofError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`);
    this.code = code;
    this.name = 'FieldproofError';
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}
