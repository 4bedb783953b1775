import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiKeyView } from '../api-keys/dto/api-key.dto';
import { PRINCIPAL_KINDS } from '../auth/principal';
import type { PrincipalKind } from '../auth/principal';
import { TENANT_STATUSES } from '../tenancy/tenant.entity';
import type { TenantEntity } from '../tenancy/tenant.entity';
import { UserView } from '../users/dto/user.dto';
import { PrincipalKindEnum, TenantStatusEnum } from '../graphql/enums';

@ObjectType('Tenant')
export class TenantView {
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty() @Field() name!: string;
  @ApiProperty({ example: 'America/New_York' }) @Field() timeZone!: string;
  @ApiProperty({ enum: TENANT_STATUSES }) @Field(() => TenantStatusEnum) status!: string;
  @ApiProperty({ description: 'Names the firm in inbound webhook URLs.' }) @Field() webhookKey!: string;
  @ApiProperty({ description: "Whether the firm's signup email is verified (the platform's SMS sender waits for it)." })
  @Field({ description: "Whether the firm's signup email is verified (the platform's SMS sender waits for it)." })
  emailVerified!: boolean;
  @ApiProperty() @Field() createdAt!: Date;

  static of(t: TenantEntity): TenantView {
    const v = new TenantView();
    Object.assign(v, { id: t.id, name: t.name, timeZone: t.timeZone, status: t.status, webhookKey: t.webhookKey, emailVerified: t.emailVerifiedAt !== null, createdAt: t.createdAt });
    return v;
  }
}

@ObjectType('Me')
export class MeView {
  @ApiProperty({ enum: PRINCIPAL_KINDS }) @Field(() => PrincipalKindEnum) kind!: PrincipalKind;
  @ApiPropertyOptional({ type: UserView }) @Field(() => UserView, { nullable: true }) user?: UserView | null;
  @ApiPropertyOptional({ type: ApiKeyView }) @Field(() => ApiKeyView, { nullable: true }) apiKey?: ApiKeyView | null;
  @ApiProperty({ isArray: true }) @Field(() => [String]) scopes!: string[];
  @ApiProperty({ type: TenantView }) @Field(() => TenantView) tenant!: TenantView;
}
