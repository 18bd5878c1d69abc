/** DESIGN.md: requested → assigned (asked to confirm) → confirmed → completed, or cancelled. */
export const BOOKING_STATES = ['requested', 'assigned', 'confirmed', 'completed', 'cancelled'] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

/** States in which the booking holds the interpreter's time. */
export const HOLDING: BookingState[] = ['assigned', 'confirmed'];
export const OPEN: BookingState[] = ['requested', 'assigned', 'confirmed'];

/** The main time zone of each member state: a hearing's default when the official names none. */
export const COUNTRY_TIME_ZONES: Record<string, string> = {
  BZ: 'America/Belize',
  CA: 'America/Toronto',
  CR: 'America/Costa_Rica',
  DO: 'America/Santo_Domingo',
  SV: 'America/El_Salvador',
  GT: 'America/Guatemala',
  HN: 'America/Tegucigalpa',
  MX: 'America/Mexico_City',
  NI: 'America/Managua',
  PA: 'America/Panama',
  US: 'America/New_York',
};
