// The boards fieldproof builds for (manifest.json "platforms"; a test keeps both lists equal): default pins and
// what to wire where. `fieldproof flash --board` takes the pins from here unless the config overrides them.
import { DEFAULT_PINS, type PinConfig } from './device-config.js';

export interface BoardProfile {
  description: string;
  pins: Readonly<PinConfig>;
}

export const BOARDS: Readonly<Record<string, BoardProfile>> = Object.freeze({
  'esp32/nodemcu': {
    description: 'ESP32 DevKitC / NodeMCU-32S style board (ESP32-WROOM-32, 4 MB flash)',
    pins: DEFAULT_PINS,
  },
  'esp32/xiao_esp32c3': {
    // Seeed XIAO ESP32C3: D4 = GPIO6 (SDA), D5 = GPIO7 (SCL), D7 = GPIO20 (RX), D6 = GPIO21 (TX); BOOT = GPIO9;
    // no user LED (-1); the console is the chip's USB CDC, which the firmware cannot read (-1).
    description: 'Seeed Studio XIAO ESP32C3 (ESP32-C3, 4 MB flash)',
    pins: Object.freeze({ sda: 6, scl: 7, uartRx: 20, uartTx: 21, uartPort: 1, led: -1, button: 9, consolePort: -1, consoleRx: -1, consoleTx: -1 }),
  },
});
