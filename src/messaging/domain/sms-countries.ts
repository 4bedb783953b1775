import { phoneCountry } from '../../common/phone';

/**
 * Why a text may not go to this number under the operator's country allowlist (SMS_COUNTRIES),
 * or null when it may. Toll fraud and SMS pumping target premium ranges abroad; +1 is not
 * always the US (+1 876 is Jamaica), so the country comes from the number itself.
 */
export function smsCountryRefusal(phone: string, countries: readonly string[] | null): string | null {
  if (countries === null) return null;
  const country = phoneCountry(phone);
  if (country !== undefined && countries.includes(country)) return null;
  return `SMS to ${country ?? 'this'} numbers is not allowed on this platform (allowed: ${countries.join(', ')})`;
}
