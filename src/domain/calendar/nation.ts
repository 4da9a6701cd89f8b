export const NATIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type Nation = (typeof NATIONS)[number];

/**
 * The country whose regulator and regulations a service answers to: England and Wales share a
 * calendar but not a regulator (Ofsted, Care Inspectorate Wales).
 */
export const COUNTRIES = ['england', 'wales', 'scotland', 'northern-ireland'] as const;
export type Country = (typeof COUNTRIES)[number];

/** The country of an organisation: its `country`, else its nation's (England for England and Wales). */
export function countryOf(nation: Nation, country?: Country): Country {
  return country ?? (nation === 'england-and-wales' ? 'england' : nation);
}

/** Whether a country lies in the nation whose calendar it keeps. */
export function countryInNation(country: Country, nation: Nation): boolean {
  return country === 'england' || country === 'wales' ? nation === 'england-and-wales' : country === nation;
}

/** date-holidays' GB region codes. Wales shares England's bank holidays. */
export const HOLIDAY_REGION: Record<Nation, string> = {
  'england-and-wales': 'ENG',
  scotland: 'SCT',
  'northern-ireland': 'NIR',
};

export const NATION_LABEL: Record<Nation, string> = {
  'england-and-wales': 'England and Wales',
  scotland: 'Scotland',
  'northern-ireland': 'Northern Ireland',
};
