// What the firmware takes from the portable core and the ESP32 host, as one module: `npm run build:firmware`
// bundles this file (with noble and cbor-x) for the device, and the XS conformance test runs that very bundle.
import { DEVICE_PRECOMPUTE_WINDOW, setPrecomputeWindow } from '../../src/core/signer.js';

// The signing window is chosen here, when the module is evaluated, which on the device is preload time (manifest
// "preload"). noble keeps the window in a WeakMap keyed by its base point; once both are in flash, Moddable's
// WeakMap refuses set() and delete() for that key (Moddable issue #907: "On WeakMap, set and delete throw for keys
// in ROM"), so a window set at run time would throw on the device. Set here, W=1 is in flash and signing takes
// noble's table-less fixed-window path, which writes to no WeakMap.
setPrecomputeWindow(DEVICE_PRECOMPUTE_WINDOW);

export { FieldNode } from '../../src/core/field-node.js';
export { Sampler, FIELDS } from '../../src/core/sampler.js';
export { SequenceAllocator, writeSequenceFloor } from '../../src/core/sequence.js';
export { MemoryOutbox } from '../../src/core/outbox.js';
export { MemoryStorage } from '../../src/core/memory-storage.js';
export { createNobleSigner, setPrecomputeWindow, nobleVerify, publicKeyOf } from '../../src/core/signer.js';
export { signSign1, decodeSign1, verifySign1 } from '../../src/core/cose-sign1.js';
export { encodeReading, decodeReading } from '../../src/core/reading.js';
export { deviceIdOf, deviceIdText } from '../../src/core/device-id.js';
export { nodeTopics } from '../../src/core/topics.js';
export { toHex, fromHex } from '../../src/core/bytes.js';
// The firmware host (hosts/esp32): composition, services and drivers. Nothing here imports a Moddable module;
// hosts/esp32/device/main.ts brings those in.
export { FieldDevice } from './field-device.js';
export { parseDeviceConfig, parseBrokerUrl } from './device-config.js';
export { flashDevice } from './flash-partition.js';
export { FlashOutbox } from './flash-outbox.js';
export { sensorBindings } from './sensor-set.js';
export { LineSplitter, parseConsoleLine, formatBanner, formatClaimRequest, signClaim } from './console-protocol.js';
export { Backoff } from './backoff.js';
export { loadOrCreateDeviceKey } from './device-key.js';
export { StatusLed, ledStateOf } from './status-led.js';
export { MaintenanceButton } from './maintenance-button.js';
export { WifiLink } from './wifi-link.js';
export { DeviceClock, SntpSchedule } from './device-clock.js';
export { MqttTransport } from './mqtt-transport.js';
