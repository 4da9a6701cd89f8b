import type { OrganisationConfig } from '../config/config-schema.js';
import { WorkCalendar } from '../domain/calendar/work-calendar.js';

/** An organisation's working-day calendar: its nation's bank holidays, its timezone and its send window. */
export function calendarOf(org: Pick<OrganisationConfig, 'nation' | 'timezone' | 'sendWindow'>): WorkCalendar {
  return new WorkCalendar({ nation: org.nation, timezone: org.timezone, window: org.sendWindow });
}
