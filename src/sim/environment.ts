// The environment model of the fleet simulator: the true weather and air quality at any time and place, which
// simulated sensors then read (with their own noise, drift and faults, modelled elsewhere). It is a pure
// function of (seed, region, time, place): no Math.random, no Date, no state that changes what a call returns,
// so a fleet replays identically on every machine and in any call order.
//
// Spatial and temporal correlation come from seeded value noise (noise-field.ts) on a km grid of 15-250 km
// cells and hour-to-day time cells: stations a few km apart see the same weather, stations hundreds of km
// apart do not. Pressure fronts are moving synoptic systems (pressure-systems.ts); wind follows their gradient.
//
// Units are those of the wire quantities (src/core/quantities.ts): Cel, %RH, Pa, ug/m3, ppm, m/s.

import { hash32, valueNoise2, valueNoise3 } from './noise-field.js';
import { createPressureSystems } from './pressure-systems.js';

export interface EnvironmentRegion {
  /** Centre latitude, degrees north. */
  lat: number;
  /** Centre longitude, degrees east. */
  lon: number;
  /** Radius of the area the fleet covers, km; pressure systems are steered across it. */
  radiusKm: number;
}

export interface EnvironmentOptions {
  /** Any safe integer; the same seed gives the same environment everywhere. */
  seed: number;
  region: EnvironmentRegion;
}

export interface EnvironmentSample {
  temperature: number;
  humidity: number;
  pressure: number;
  pm1: number;
  pm2_5: number;
  pm10: number;
  co2: number;
  wind_speed: number;
}

export interface Environment {
  readonly seed: number;
  readonly region: Readonly<EnvironmentRegion>;
  /**
   * True values at `timeMs` (Unix ms) and (lat, lon). Pass `out` to have it filled in place instead of a new
   * object: the fleet simulator calls this for every node every simulated minute.
   */
  at(timeMs: number, lat: number, lon: number, out?: EnvironmentSample): EnvironmentSample;
}

const HOUR_MS = 3_600_000;
const DAY_HOURS = 24;
const YEAR_DAYS = 365.2425;
const KM_PER_DEG_LAT = 110.574;
const KM_PER_DEG_LON_EQUATOR = 111.32;
const TWO_PI = 2 * Math.PI;

// Magnus formula for saturation vapour pressure over water, coefficients of Alduchov & Eskridge (1996),
// "Improved Magnus form approximation of saturation vapor pressure", J. Appl. Meteor. 35, 601-609:
// e_s(T) = 6.1094 hPa * exp(a T / (b + T)). RH = e_s(Td) / e_s(T), so the 6.1094 cancels.
const MAGNUS_A = 17.625;
const MAGNUS_B = 243.04; // °C

// Geostrophic wind V = |∇p| / (ρ f) (Holton, An Introduction to Dynamic Meteorology, §3.2), reduced by surface
// friction to roughly 60 % near the ground; f is held at its 20° value nearer the equator, where it vanishes.
const AIR_DENSITY = 1.225; // kg/m³, ISA sea level
const EARTH_ROTATION = 7.2921e-5; // rad/s
const SURFACE_FRICTION = 0.6;

// Noise channels: each a statistically independent field for the same seed.
const CH_WEATHER_LOCAL = 1;
const CH_WEATHER_SYNOPTIC = 2;
const CH_CLOUD = 3;
const CH_DEW_SPREAD = 4;
const CH_URBAN = 5;
const CH_PM_BACKGROUND = 6;
const CH_PM_EPISODE = 7;
const CH_PM1_RATIO = 8;
const CH_PM10_RATIO = 9;
const CH_GUST = 10;
const CH_PRESSURE_BACKGROUND = 11;
const CH_CO2 = 12;

function checkFinite(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a finite number in [${min}, ${max}]`);
  }
  return value;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function createEnvironment(options: EnvironmentOptions): Environment {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { seed, region } = options;
  if (!Number.isSafeInteger(seed)) throw new RangeError('options.seed must be a safe integer');
  if (typeof region !== 'object' || region === null) throw new TypeError('options.region must be an object');
  const lat0 = checkFinite('options.region.lat', region.lat, -90, 90);
  const lon0 = checkFinite('options.region.lon', region.lon, -180, 180);
  const radiusKm = checkFinite('options.region.radiusKm', region.radiusKm, Number.MIN_VALUE, 20_000);

  // Fold all 53 bits of the seed into the 32-bit hash seed.
  const s = hash32(seed >>> 0, 0, Math.floor(seed / 4294967296), 0, 0);
  const kmPerDegLon = KM_PER_DEG_LON_EQUATOR * Math.max(Math.cos((lat0 * Math.PI) / 180), 0.01);
  const fronts = createPressureSystems(s, radiusKm);
  const scratch = new Float64Array(3);

  function at(timeMs: number, lat: number, lon: number, out?: EnvironmentSample): EnvironmentSample {
    if (typeof timeMs !== 'number' || !Number.isFinite(timeMs)) throw new RangeError('timeMs must be a finite number');
    checkFinite('lat', lat, -90, 90);
    checkFinite('lon', lon, -180, 180);

    // Place: km east/north of the region centre (equirectangular, fine over a few hundred km).
    let dLon = lon - lon0;
    if (dLon > 180) dLon -= 360;
    else if (dLon < -180) dLon += 360;
    const x = dLon * kmPerDegLon;
    const y = (lat - lat0) * KM_PER_DEG_LAT;
    const absLat = Math.abs(lat);

    // Time: hours since the epoch, local solar hour from longitude (15° per hour), day of the week.
    const hours = timeMs / HOUR_MS;
    const localHours = hours + lon / 15;
    const solarHour = localHours - Math.floor(localHours / DAY_HOURS) * DAY_HOURS;
    const localDay = Math.floor(localHours / DAY_HOURS);
    const weekday = (((localDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const workday = weekday === 0 || weekday === 6 ? 0.5 : 1;

    // Temperature: climate by latitude, season (peak ~19 July north, half a year later south), slow weather
    // (a 40 km / 30 h field over a 250 km / 4 day field), and a diurnal cycle peaking at 15:00 solar time whose
    // amplitude shrinks under cloud.
    const climate = 27 - 0.55 * Math.max(0, absLat - 12);
    const seasonPhase = (TWO_PI * (hours / DAY_HOURS - 200)) / YEAR_DAYS;
    const season = 0.2 * absLat * Math.cos(lat >= 0 ? seasonPhase : seasonPhase + Math.PI);
    const weather = 4 * valueNoise3(s, CH_WEATHER_LOCAL, x / 40, y / 40, hours / 30)
      + 3 * valueNoise3(s, CH_WEATHER_SYNOPTIC, x / 250, y / 250, hours / 96);
    const cloud = valueNoise3(s, CH_CLOUD, x / 60, y / 60, hours / 24);
    const diurnalAmplitude = 5 + 2.5 * cloud;
    const diurnalShape = Math.cos((TWO_PI * (solarHour - 15)) / DAY_HOURS); // +1 at 15:00, -1 at 03:00
    const dailyMean = climate + season + weather;
    const temperature = clamp(dailyMean + diurnalAmplitude * diurnalShape, -40, 60);

    // Humidity: the dew point follows the daily mean slowly (no diurnal cycle), so RH falls as the afternoon
    // warms and rises towards saturation at night.
    const dewSpread = 6 + 4 * valueNoise3(s, CH_DEW_SPREAD, x / 80, y / 80, hours / 36) - 1.5 * cloud;
    const dewPoint = dailyMean - dewSpread;
    const humidity = clamp(
      100 * Math.exp((MAGNUS_A * dewPoint) / (MAGNUS_B + dewPoint) - (MAGNUS_A * temperature) / (MAGNUS_B + temperature)),
      0,
      100,
    );

    // Pressure: standard atmosphere plus a slow large-scale drift plus the moving systems.
    fronts.sample(hours, x, y, scratch);
    const pressure = 101_325 + 300 * valueNoise3(s, CH_PRESSURE_BACKGROUND, x / 400, y / 400, hours / 48) + scratch[0]!;

    // Wind: geostrophic speed from the fronts' gradient (Pa/km -> Pa/m), friction, gusty local part, and more
    // mixing in the afternoon.
    const gradient = Math.sqrt(scratch[1]! * scratch[1]! + scratch[2]! * scratch[2]!) / 1000;
    const coriolis = 2 * EARTH_ROTATION * Math.sin((Math.max(absLat, 20) * Math.PI) / 180);
    const geostrophic = gradient / (AIR_DENSITY * coriolis);
    const wind_speed = clamp(
      SURFACE_FRICTION * geostrophic + 1.8 + 1.2 * valueNoise3(s, CH_GUST, x / 30, y / 30, hours / 6)
        + 0.8 * Math.cos((TWO_PI * (solarHour - 14)) / DAY_HOURS),
      0,
      60,
    );
    const dilution = 1 / (1 + wind_speed / 4);

    // Particulate matter: regional background, traffic rush hours (08:00 and 17:30) where the urban field is
    // high and on workdays, a night-time inversion that traps it, and regional episodes (150 km, ~10 h cells)
    // that appear only where their field exceeds a threshold, so they last hours and are rare.
    const urbanRaw = 0.5 + 0.5 * valueNoise2(s, CH_URBAN, x / 15, y / 15);
    const urban = urbanRaw * urbanRaw;
    const rush = Math.exp(-((solarHour - 8) ** 2) / 2.88) + 0.8 * Math.exp(-((solarHour - 17.5) ** 2) / 4.5);
    const traffic = urban * rush * workday;
    const inversion = 1 + 0.4 * Math.max(0, -diurnalShape);
    const episodeField = valueNoise3(s, CH_PM_EPISODE, x / 150, y / 150, hours / 10);
    const episode = episodeField > 0.3 ? ((episodeField - 0.3) / 0.7) ** 2 : 0;
    const background = 5 + 3 * (1 + valueNoise3(s, CH_PM_BACKGROUND, x / 60, y / 60, hours / 24));
    const pm2_5 = (background * inversion + 30 * traffic * inversion) * (0.4 + 0.6 * dilution) + 120 * episode;
    // Fine fraction PM1/PM2.5 0.6-0.8; coarse PM10/PM2.5 1.3-2.0, more when wind lifts dust.
    const pm1 = pm2_5 * (0.7 + 0.1 * valueNoise3(s, CH_PM1_RATIO, x / 60, y / 60, hours / 24));
    const pm10 = pm2_5 * (1.55 + 0.25 * valueNoise3(s, CH_PM10_RATIO, x / 60, y / 60, hours / 24) + 0.02 * Math.min(wind_speed, 10));

    // CO2: ~421 ppm clean background (NOAA global mean, 2024), traffic exhaust, night-time build-up from
    // respiration under a shallow boundary layer, and the same regional episodes.
    const co2 = 421 + 3 * valueNoise3(s, CH_CO2, x / 100, y / 100, hours / 48)
      + 40 * traffic * dilution
      + 25 * Math.max(0, -diurnalShape) / (1 + wind_speed / 2)
      + 30 * episode;

    if (out === undefined) return { temperature, humidity, pressure, pm1, pm2_5, pm10, co2, wind_speed };
    out.temperature = temperature;
    out.humidity = humidity;
    out.pressure = pressure;
    out.pm1 = pm1;
    out.pm2_5 = pm2_5;
    out.pm10 = pm10;
    out.co2 = co2;
    out.wind_speed = wind_speed;
    return out;
  }

  return Object.freeze({ seed, region: Object.freeze({ lat: lat0, lon: lon0, radiusKm }), at });
}
