import type { TemplateVars } from '../../src/follow-ups/domain/templates';

/** Long-ish but realistic values, all GSM-7. */
export const LONG_VARS: Required<TemplateVars> = {
  recipientFirstName: 'Bartholomew',
  recipientName: 'Bartholomew Castellanos-Whitfield',
  candidateName: 'Maximilian Papadopoulos',
  candidateFirstName: 'Maximilian',
  company: 'Northwind Logistics International',
  position: 'Senior Warehouse Operations Manager',
  interviewTime: '10:30 AM EDT',
  interviewDate: 'Wednesday, September 10',
  interviewers: 'Annabelle Whitaker and Christopher Okonkwo',
  recruiterName: 'Alexandra Montgomery',
  recruiterEmail: 'alexandra.montgomery@brightpath-talent.example',
  firmName: 'Brightpath Talent Partners',
  leadStatus: 'interviewing',
  referrerName: 'Gwendolyn Fairweather',
};

/**
 * Names that need Unicode (so the SMS is UCS-2, 67 characters per segment), with apostrophes and
 * hyphens, and everyday lengths for the rest.
 */
export const UNICODE_VARS: Required<TemplateVars> = {
  ...LONG_VARS,
  company: 'Northwind Logistics',
  position: 'Operations Manager',
  interviewDate: 'Wednesday, June 11',
  recruiterName: 'Alexandra Reyes',
  firmName: 'Brightpath Staffing',
  recipientFirstName: 'Zoë',
  recipientName: "Zoë O'Brien-Smith",
  candidateName: 'Łukasz Wiśniewski',
  candidateFirstName: 'Łukasz',
  interviewers: "Zoë O'Brien-Smith and Siobhán Nic Mhuiris",
};
