const two = (n: number) => String(n).padStart(2, "0");

/**
 * `date` in ISO 8601 with the local offset (2026-12-07T15:04:05.123+09:00): the wall-clock time
 * of TZ, which Node reads, as the day of the log file it goes to. UTC reads +00:00.
 */
export function localIsoTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  const millis = String(date.getMilliseconds()).padStart(3, "0");
  return `${day}T${time}.${millis}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}
