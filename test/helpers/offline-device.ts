// The firmware composition (FieldDevice) on the bench, offline: memory storage, a manual clock, no Wi-Fi, SNTP or
// MQTT, no sensors; only its serial console matters. For the provision-serial tests, in-process and over a pty.
import { parseDeviceConfig } from '../../hosts/esp32/device-config.js';
import { FieldDevice } from '../../hosts/esp32/field-device.js';
import { silentLog } from '../../src/core/host.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { ManualClock, ManualTimer } from './fake-host.js';

export interface OfflineDeviceOptions {
  /** Random bytes for the device (its key is made from them on first boot). */
  rng: (n: number) => Uint8Array;
  /** Where the device's console lines go. */
  print: (line: string) => void;
  /** The firmware build id it reports. */
  build: Uint8Array;
}

export function offlineDevice(options: OfflineDeviceOptions): FieldDevice {
  const clock = new ManualClock(0);
  return new FieldDevice(
    {
      storage: new MemoryStorage(),
      rng: { bytes: options.rng },
      timer: new ManualTimer(clock),
      ticks: () => clock.ms,
      log: silentLog,
      print: options.print,
      wifiConnect: () => {},
      wifiDisconnect: () => {},
      sntpRequest: () => {},
      mqtt: () => {
        throw new Error('no network on the bench');
      },
      sensors: [],
      diagnostics: () => ({}),
      restart: () => {},
    },
    parseDeviceConfig({ v: 1, wifiSsid: 'bench', wifiPassword: '', broker: 'mqtt://10.0.0.2', intervalS: 60, sensors: [{ type: 'bme280' }], builtAt: 0 }),
    { version: '0.1.0', build: options.build },
  );
}
