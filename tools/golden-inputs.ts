// Fixed inputs of the golden readings (see tools/golden-readings.ts). Keys: RFC 8032 §7.1 TEST 1 and TEST 2
// secret keys, and one more fixed seed, so anyone can reproduce the bytes.
export interface GoldenInput {
  name: string;
  secretKey: string;
  seq: number;
  time: number;
  firmware: string;
  flags: { backfilled: boolean; maintenance: boolean };
  /** Values in SenML units, keyed by quantity name; order as a sensor would report them. */
  values: Record<string, number>;
}

export const GOLDEN_INPUTS: GoldenInput[] = [
  {
    name: 'weather node, 4 quantities, first reading',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    seq: 0,
    time: 1767225600,
    firmware: '0a1b2c3d',
    flags: { backfilled: false, maintenance: false },
    values: { temperature: 21.37, humidity: 45.5, pressure: 101325, pm2_5: 12.3 },
  },
  {
    name: 'sub-zero temperature, backfilled from the outbox',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    seq: 65536,
    time: 1767312000,
    firmware: '0a1b2c3d',
    flags: { backfilled: true, maintenance: false },
    values: { temperature: -12.05, humidity: 88.01, pressure: 99870 },
  },
  {
    name: 'air-quality node in maintenance mode, all PM sizes and CO2',
    secretKey: '0101010101010101010101010101010101010101010101010101010101010101',
    seq: 1000000,
    time: 1798761599,
    firmware: 'ff',
    flags: { backfilled: false, maintenance: true },
    values: { pm10: 40.7, pm2_5: 25.1, pm1: 15.9, co2: 612, temperature: 23.9, humidity: 40 },
  },
  {
    name: 'both flags, large sequence number, battery and wind',
    secretKey: '0202020202020202020202020202020202020202020202020202020202020202',
    seq: 4294967296,
    time: 4294967295,
    firmware: '00112233445566778899aabbccddeeff',
    flags: { backfilled: true, maintenance: true },
    values: { wind_speed: 3.42, battery: 3.917, illuminance: 54000 },
  },
];
