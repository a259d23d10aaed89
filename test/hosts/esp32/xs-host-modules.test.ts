// The host's decision-making modules give the same results in XS (the firmware bundle) as on Node (the TypeScript
// modules the unit tests check): one scripted run (test/helpers/host-scenarios.js) in both engines.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Backoff } from '../../../hosts/esp32/backoff.js';
import { LineSplitter, parseConsoleLine } from '../../../hosts/esp32/console-protocol.js';
import { parseBrokerUrl, parseDeviceConfig } from '../../../hosts/esp32/device-config.js';
import { DeviceClock, SntpSchedule } from '../../../hosts/esp32/device-clock.js';
import { MaintenanceButton } from '../../../hosts/esp32/maintenance-button.js';
import { MqttTransport } from '../../../hosts/esp32/mqtt-transport.js';
import { ledStateOf, StatusLed } from '../../../hosts/esp32/status-led.js';
import { WifiLink } from '../../../hosts/esp32/wifi-link.js';
import { startXsCore } from '../../helpers/xs-core.js';

// A plain .js file (it is also evaluated in XS), read from the source tree as test/helpers/xs-driver.js is.
const SCENARIOS = fileURLToPath(new URL('../../../../test/helpers/host-scenarios.js', import.meta.url));
type Scenarios = (core: object) => { led: Record<string, unknown[]>; button: unknown[]; sntp: { after: unknown[] }; console: unknown[] };

test('LED, button, backoff, Wi-Fi, SNTP, console, config and MQTT ids behave the same in XS as on Node', async (t) => {
  const { hostScenarios } = (await import(pathToFileURL(SCENARIOS).href)) as { hostScenarios: Scenarios };
  const node = hostScenarios({ Backoff, LineSplitter, parseConsoleLine, parseBrokerUrl, parseDeviceConfig, DeviceClock, SntpSchedule, MaintenanceButton, MqttTransport, StatusLed, ledStateOf, WifiLink });
  // Not vacuous: the runs did something.
  t.true(node.led.maintenance.length > 4 && node.button.length > 0 && node.sntp.after[0] === true && node.console.filter(Boolean).length === 3);
  const xs = await startXsCore({ name: 'xs-host-modules' });
  try {
    const source = readFileSync(SCENARIOS, 'utf8').replace(/^export function hostScenarios\(/m, 'function hostScenarios(');
    await xs.evaluate(`"use strict";\n${source}\nglobalThis.fieldproofGlue = () => hostScenarios(globalThis.fieldproofCore);\n`);
    const inXs = (await xs.call('glue', {})).result;
    t.deepEqual(inXs, JSON.parse(JSON.stringify(node)));
  } finally {
    await xs.close();
  }
});
