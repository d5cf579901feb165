/**
 * Where the sun stands and how much light a clear sky gives: enough astronomy for a plausible PV
 * curve (declination by day of year, hour angle by solar time; Haurwitz clear-sky model).
 */

const DEG = Math.PI / 180;
const DAY_MS = 86_400_000;

/** Day of the year, 1–366, of a UTC time. */
export function dayOfYear(timeMs: number): number {
  const date = new Date(timeMs);
  const start = Date.UTC(date.getUTCFullYear(), 0, 1);
  return Math.floor((timeMs - start) / DAY_MS) + 1;
}

/** Local solar time in hours (0–24) at a longitude (east positive), ignoring the equation of time. */
export function solarHour(timeMs: number, longitudeDeg: number): number {
  const utcHours = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  return (((utcHours + longitudeDeg / 15) % 24) + 24) % 24;
}

/** Sun elevation above the horizon in degrees (negative at night). */
export function sunElevationDeg(timeMs: number, latitudeDeg: number, longitudeDeg = 0): number {
  const declination = 23.44 * DEG * Math.sin((2 * Math.PI * (284 + dayOfYear(timeMs))) / 365);
  const hourAngle = 15 * DEG * (solarHour(timeMs, longitudeDeg) - 12);
  const latitude = latitudeDeg * DEG;
  const sinElevation =
    Math.sin(latitude) * Math.sin(declination) +
    Math.cos(latitude) * Math.cos(declination) * Math.cos(hourAngle);
  return Math.asin(Math.max(-1, Math.min(1, sinElevation))) / DEG;
}

/** Clear-sky global horizontal irradiance in W/m² for a sun elevation (Haurwitz 1945). */
export function clearSkyIrradianceWm2(elevationDeg: number): number {
  if (elevationDeg <= 0) return 0;
  const cosZenith = Math.sin(elevationDeg * DEG);
  return 1098 * cosZenith * Math.exp(-0.057 / cosZenith);
}

/** UTC time of solar noon on the day of timeMs at a longitude, ms. */
export function solarNoonMs(timeMs: number, longitudeDeg = 0): number {
  const dayStart = Math.floor(timeMs / DAY_MS) * DAY_MS;
  return dayStart + (12 - longitudeDeg / 15) * 3_600_000;
}
