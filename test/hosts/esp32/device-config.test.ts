import test from 'ava';
import { DEFAULT_PINS, parseBrokerUrl, parseDeviceConfig } from '../../../hosts/esp32/device-config.js';

const valid = {
  v: 1,
  wifiSsid: 'bench',
  wifiPassword: 'correct horse',
  broker: 'mqtts://broker.example.org',
  tlsCa: 'fieldproof-ca.der',
  intervalS: 60,
  sensors: [{ type: 'bme280', address: 0x77 }, { type: 'pms5003' }],
  builtAt: 1_767_225_600,
};

test('a valid config gets its defaults: pins of esp32/nodemcu, SNTP pool, outbox partition', (t) => {
  const c = parseDeviceConfig(valid);
  t.deepEqual(c.pins, DEFAULT_PINS);
  t.is(c.outboxPartition, 'fpoutbox');
  t.is(c.sntpHosts[0], 'pool.ntp.org');
  t.deepEqual(c.sensors, [{ type: 'bme280', address: 0x77 }, { type: 'pms5003' }]);
});

test('broker URLs: scheme decides TLS and the default port', (t) => {
  t.deepEqual(parseBrokerUrl('mqtts://b.example'), { tls: true, host: 'b.example', port: 8883 });
  t.deepEqual(parseBrokerUrl('mqtt://10.0.0.2:1884'), { tls: false, host: '10.0.0.2', port: 1884 });
  t.is(parseBrokerUrl('http://b.example'), undefined);
  t.is(parseBrokerUrl('mqtt://b.example:70000'), undefined);
  t.is(parseBrokerUrl('mqtt://user:pw@b.example'), undefined);
});

test('each bad field is refused by name', (t) => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ wifiSsid: '' }, /config.wifiSsid/],
    [{ wifiPassword: 'short' }, /config.wifiPassword/],
    [{ broker: 'tcp://x' }, /config.broker/],
    [{ broker: 'mqtt://b.example' }, /config.tlsCa: only with an mqtts/],
    [{ tlsCa: undefined }, /config.tlsCa: required with an mqtts/],
    [{ intervalS: 5 }, /config.intervalS/],
    [{ sensors: [{ type: 'dht22' }] }, /config.sensors\[0\].type/],
    [{ sensors: [{ type: 'pms5003' }, { type: 'sds011' }] }, /share the one UART/],
    [{ sensors: [{ type: 'pms5003', address: 0x40 }] }, /only for I2C sensors/],
    [{ pins: { sda: 49 } }, /config.pins.sda/],
    [{ pins: { sda: -1 } }, /config.pins.sda: an integer from 0/],
    [{ pins: { lcd: 1 } }, /config.pins.lcd: unknown pin/],
    [{ colour: 'red' }, /config.colour: unknown field/],
  ];
  for (const [change, message] of bad) t.throws(() => parseDeviceConfig({ ...valid, ...change }), { message }, JSON.stringify(change));
});
