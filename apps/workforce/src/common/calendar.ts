/** Today's date in Vietnam (UTC+7, no daylight saving): the campaign's calendar, whatever the server's zone. */
export function todayInVietnam(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}
