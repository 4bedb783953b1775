import { Foundation1764140000000 } from './1764140000000-foundation';
import { IdempotencyKeys1764145000000 } from './1764145000000-idempotency-keys';
import { People1764150000000 } from './1764150000000-people';
import { Leads1764160000000 } from './1764160000000-leads';
import { Interviews1764170000000 } from './1764170000000-interviews';
import { References1764180000000 } from './1764180000000-references';
import { Messaging1764250000000 } from './1764250000000-messaging';
import { FollowUps1764300000000 } from './1764300000000-follow-ups';
import { Metrics1764600000000 } from './1764600000000-metrics';
import { AuditLog1764700000000 } from './1764700000000-audit-log';
import { WebhooksOut1764400000000 } from './1764400000000-webhooks-out';
import { Activities1764500000000 } from './1764500000000-activities';
import { SmsPacing1764800000000 } from './1764800000000-sms-pacing';
import { Reactions1764900000000 } from './1764900000000-reactions';
import { AuditRedactions1765200000000 } from './1765200000000-audit-redactions';
import { PlatformSmsShare1765000000000 } from './1765000000000-platform-sms-share';
import { EmailVerification1765010000000 } from './1765010000000-email-verification';
import { LoginLookupVerifiedFirst1765020000000 } from './1765020000000-login-lookup-verified-first';
import { MessageProviderAccount1765100000000 } from './1765100000000-message-provider-account';
import { ApiKeyDefaultOwner1765100001000 } from './1765100001000-api-key-default-owner';
import { EmailThreads1765300000000 } from './1765300000000-email-threads';
import { EmailDeliverability1765320000000 } from './1765320000000-email-deliverability';
import { EmailProviders1765330000000 } from './1765330000000-email-providers';
import { Analytics1765400000000 } from './1765400000000-analytics';
import { VariantPromotion1765400000001 } from './1765400000001-variant-promotion';
import { AnalyticsMetrics1765400000002 } from './1765400000002-analytics-metrics';
import { FollowUpsSettledAt1765400000003 } from './1765400000003-follow-ups-settled-at';
import { FollowUpsFirstAnswer1765400000004 } from './1765400000004-follow-ups-first-answer';
import { ConsentOptOutIndex1765400000005 } from './1765400000005-consent-opt-out-index';
import { AnalyticsByTime1765400000006 } from './1765400000006-analytics-by-time';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list runs from
 * compiled JavaScript in production and from TypeScript under Jest.
 */
export const MIGRATIONS = [Foundation1764140000000, IdempotencyKeys1764145000000, People1764150000000, Leads1764160000000, Interviews1764170000000, References1764180000000, Messaging1764250000000, FollowUps1764300000000, WebhooksOut1764400000000, Activities1764500000000, Metrics1764600000000, AuditLog1764700000000, SmsPacing1764800000000, Reactions1764900000000, PlatformSmsShare1765000000000, EmailVerification1765010000000, LoginLookupVerifiedFirst1765020000000, MessageProviderAccount1765100000000, ApiKeyDefaultOwner1765100001000, AuditRedactions1765200000000, EmailThreads1765300000000, EmailDeliverability1765320000000, EmailProviders1765330000000, Analytics1765400000000, VariantPromotion1765400000001, AnalyticsMetrics1765400000002, FollowUpsSettledAt1765400000003, FollowUpsFirstAnswer1765400000004, ConsentOptOutIndex1765400000005, AnalyticsByTime1765400000006];
