import { Args, Field, ID, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AppException } from '../common/app.exception';
import { JsonScalar } from '../common/graphql/json.scalar';
import { validateDto } from '../common/validation';
import { AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';
import { ActorKindEnum, AuditActionEnum } from '../graphql/enums';

@ObjectType('AuditEntry')
class AuditEntryGql {
  @Field(() => ID) id!: string;
  @Field() at!: Date;
  @Field(() => ActorKindEnum) actorKind!: string;
  @Field(() => ID) actorId!: string;
  @Field() table!: string;
  @Field(() => ID, { nullable: true }) rowId!: string | null;
  @Field(() => AuditActionEnum) action!: string;
  @Field(() => JsonScalar, { description: 'Per changed field: { before, after }. Secrets and message bodies are never recorded.' })
  changes!: unknown;
}

@ObjectType('AuditPage')
class AuditPageGql {
  @Field(() => [AuditEntryGql]) items!: AuditEntryGql[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditPageGql, { description: 'Who changed what (admins). Newest first.' })
  @RequireScopes('audit:read')
  async auditLog(
    @CurrentPrincipal() p: Principal,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
    @Args('table', { nullable: true }) table?: string,
    @Args('rowId', { type: () => ID, nullable: true }) rowId?: string,
    @Args('actorId', { type: () => ID, nullable: true }) actorId?: string,
  ): Promise<AuditPageGql> {
    const { value, errors } = await validateDto(AuditQueryDto, { limit, cursor, table, rowId, actorId });
    if (errors.length > 0) throw AppException.validation(errors);
    return this.audit.list(p.tenantId, value);
  }
}
