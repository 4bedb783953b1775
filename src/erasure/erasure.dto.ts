import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { AppException, ErrorCode } from '../common/app.exception';
import { SUPPRESSION_KINDS } from '../people/suppressions';
import type { ErasureResult } from './erase-person.usecase';
import { SuppressionKindEnum } from '../graphql/enums';

@ObjectType('Erasure')
export class ErasureView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty() @Field() erasedAt!: Date;
  @ApiProperty({ description: 'Pending follow-ups that were cancelled.' }) @Field(() => Int) cancelledFollowUps!: number;
  @ApiProperty({ type: [String], enum: SUPPRESSION_KINDS, description: 'Kept on the suppression list, as hashes only.' }) @Field(() => [SuppressionKindEnum]) suppressed!: string[];
  @ApiProperty({ description: 'Messages whose content was removed.' }) @Field(() => Int) messagesScrubbed!: number;

  static of(r: ErasureResult): ErasureView {
    return Object.assign(new ErasureView(), r);
  }
}

/** Erasure is for a firm's admins (signed in), not recruiters, not API keys. */
export function requireAdmin(p: Principal): void {
  if (p.kind !== 'user' || p.role !== 'admin') throw new AppException(ErrorCode.Forbidden, 'Only an admin of the firm can erase a person');
}
