import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../../common/clock';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundMessenger } from '../../messaging/outbound.types';
import type { Channel } from '../../messaging/domain/channel';
import type { ChoiceBasis, PassedOverChannel } from '../domain/channel';
import { isWithinWindow, nextWindowOpening, resolveZone } from '../domain/windows';
import type { FollowUpPreviewView, LocalTimeView } from '../dto/follow-up-preview.dto';
import { PENDING_STATUSES } from '../follow-up.entity';
import type { FollowUpEntity } from '../follow-up.entity';
import { draftFollowUp } from './draft';
import type { Draft } from './draft';
import { FollowUpComposer } from './follow-up.composer';
import type { ComposedGroup } from './follow-up.composer';

/**
 * Previews of pending follow-ups: what each would be if it went out now. The same composer and
 * the same draft the dispatcher sends from, so what a recruiter sees is what goes out; one
 * transaction and a fixed number of reads for any number of follow-ups. Sent, failed or cancelled
 * ones (and tasks) have none: their message, if any, is on the timeline.
 */
@Injectable()
export class FollowUpPreviewService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly composer: FollowUpComposer,
    @Inject(OUTBOUND_MESSENGER) private readonly messenger: OutboundMessenger,
  ) {}

  async previews(tenantId: TenantId, rows: readonly FollowUpEntity[]): Promise<Map<string, FollowUpPreviewView | null>> {
    const out = new Map<string, FollowUpPreviewView | null>(rows.map((r) => [r.id, null]));
    const pending = rows.filter((r) => r.kind === 'message' && PENDING_STATUSES.includes(r.status));
    if (pending.length === 0) return out;
    const group = await this.db.unit(tenantId, () => this.composer.compose(tenantId, pending));
    const now = this.clock.now();
    for (const f of pending) out.set(f.id, this.view(f, group, now));
    return out;
  }

  async preview(tenantId: TenantId, row: FollowUpEntity): Promise<FollowUpPreviewView | null> {
    return (await this.previews(tenantId, [row])).get(row.id) ?? null;
  }

  private view(f: FollowUpEntity, group: ComposedGroup, now: Date): FollowUpPreviewView {
    const composition = group.items.get(f.id)!;
    const draft = draftFollowUp(f, composition, group.settings, group.outbound, this.messenger);
    const recipient = composition.kind === 'compose' ? composition.recipient : null;
    const recipientZone = resolveZone(recipient?.timeZone ?? null, group.tenantZone);
    let dueAt = f.dueAt.getTime() < now.getTime() ? now : f.dueAt;
    if (draft.kind === 'message' && !isWithinWindow(dueAt, draft.channel, recipientZone, group.settings.windows)) {
      dueAt = nextWindowOpening(dueAt, draft.channel, recipientZone, group.settings.windows);
    }
    return {
      outcome: draft.kind === 'message' ? 'send' : draft.kind,
      channel: draft.kind === 'message' ? draft.channel : null,
      channelReason: channelReason(draft),
      skipReason: draft.kind === 'message' ? null : draft.reason,
      recipient: recipient ? { type: recipient.person.type, id: recipient.person.id, name: recipient.name, email: recipient.email, phone: recipient.phone } : null,
      address: draft.kind === 'message' ? draft.to : null,
      subject: draft.kind === 'message' ? (draft.subject ?? null) : null,
      body: draft.kind === 'message' ? draft.text : null,
      dueAt,
      dueLocal: { recipient: local(dueAt, recipientZone), recruiter: local(dueAt, group.tenantZone) },
      requiresApproval: f.status === 'awaiting_approval',
      edited: f.rule !== 'one_off' && f.body !== null,
      variant: draft.kind === 'message' ? draft.variant : null,
    };
  }
}

function local(at: Date, zone: string): LocalTimeView {
  return { zone, text: DateTime.fromJSDate(at).setZone(zone).setLocale('en-US').toFormat('ccc, LLL d, h:mm a ZZZZ') };
}

const LABEL: Record<Channel, string> = { email: 'email', sms: 'SMS' };

/** Why this channel, in words a recruiter reads on the agenda. */
export function channelReason(draft: Draft): string {
  if (draft.kind === 'task') return 'they last reached out by phone: it becomes a call task';
  if (draft.kind !== 'message') return draft.reason;
  return basisText(draft.basis, draft.channel, draft.passedOver);
}

function basisText(basis: ChoiceBasis, channel: Channel, passedOver: readonly PassedOverChannel[]): string {
  switch (basis) {
    case 'last_inbound':
      return `they last wrote by ${LABEL[channel]}`;
    case 'preferred':
      return `${LABEL[channel]} is their preferred channel`;
    case 'default':
      return 'email is the default';
    case 'requested':
      return `${LABEL[channel]} was chosen for this message`;
    case 'fallback':
      return `${passedOver.map((p) => `${LABEL[p.channel]}: ${p.reason}`).join('; ')}; so ${LABEL[channel]}`;
  }
}
