/** What a double-check of a person's name and email can find (double-check.ts): warnings, never errors. */
export const WARNING_CODES = ['EMAIL_NAME_MISMATCH', 'EMAIL_NAME_CONFLICT', 'EMAIL_DOMAIN_TYPO'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];
