import { FollowUpAttemptEntity, FollowUpEntity } from '../follow-ups/follow-up.entity';
import { ActivityEntity } from '../activities/activity.entity';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { CandidateEntity } from '../candidates/candidate.entity';
import { ContactEntity } from '../contacts/contact.entity';
import { ConsentEntity, ConsentEventEntity } from '../messaging/entities/consent.entity';
import { MessageEntity } from '../messaging/entities/message.entity';
import { PersonEngagementEntity } from '../messaging/entities/person-engagement.entity';
import { TenantSenderEntity } from '../messaging/entities/tenant-sender.entity';
import { InterviewEntity, InterviewInterviewerEntity, InterviewRescheduleEntity } from '../interviews/interview.entity';
import { LeadEntity, LeadStatusHistoryEntity } from '../leads/lead.entity';
import { ReferenceEntity, ReferenceProvisionEntity } from '../references/reference.entity';
import { TenantEntity } from '../tenancy/tenant.entity';
import { UserEntity } from '../users/user.entity';
import { OutboxEventEntity, WebhookDeliveryAttemptEntity, WebhookDeliveryEntity, WebhookSubscriptionEntity } from '../webhooks/webhook.entity';

/** Every TypeORM entity. Listed explicitly so compiled and test runs load the same set. */
export const ENTITIES = [
  TenantEntity,
  UserEntity,
  ApiKeyEntity,
  RefreshTokenEntity,
  CandidateEntity,
  ContactEntity,
  LeadEntity,
  LeadStatusHistoryEntity,
  InterviewEntity,
  InterviewInterviewerEntity,
  InterviewRescheduleEntity,
  ReferenceEntity,
  ReferenceProvisionEntity,
  MessageEntity,
  ConsentEntity,
  ConsentEventEntity,
  PersonEngagementEntity,
  TenantSenderEntity,
  FollowUpEntity,
  FollowUpAttemptEntity,
  ActivityEntity,
  WebhookSubscriptionEntity,
  OutboxEventEntity,
  WebhookDeliveryEntity,
  WebhookDeliveryAttemptEntity,
];
