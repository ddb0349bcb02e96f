// The upload routes by name. One list: the CLI's --via, FLAREWATCH_UPLOAD_VIA, the spool's
// records and the route table (routes.ts) all take their names from here.

export const ROUTE_NAMES = ['agent', 'intake', 'url'] as const;
/** A destination: the local Agent's relay, the Datadog intake, or a pre-signed URL. */
export type Via = (typeof ROUTE_NAMES)[number];

export const VIA_CHOICES = ['auto', ...ROUTE_NAMES] as const;
/** A destination as asked for: `auto` lets chooseRoute() decide. */
export type ViaChoice = (typeof VIA_CHOICES)[number];

/** What FLAREWATCH_UPLOAD_VIA may say: the url route needs a URL given with each upload. */
export const SETTING_VIAS = ['auto', 'agent', 'intake'] as const;
export type SettingVia = (typeof SETTING_VIAS)[number];

export function isViaChoice(text: string): text is ViaChoice {
  return (VIA_CHOICES as readonly string[]).includes(text);
}
