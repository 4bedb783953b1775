import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/person-fields';
import { USER_ROLES, USER_STATUSES } from '../user.entity';
import type { UserEntity, UserRole } from '../user.entity';
import { Omittable } from '../../common/validation';
import { UserRoleEnum, UserStatusEnum } from '../../graphql/enums';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

@InputType('InviteUserInput')
export class InviteUserDto {
  @ApiProperty({ example: 'sam.lee@acme-staffing.com' })
  @Field()
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Sam Lee' })
  @Field()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: USER_ROLES, example: 'recruiter' })
  @Field(() => UserRoleEnum)
  @IsIn(USER_ROLES, { message: 'role must be admin or recruiter' })
  role!: UserRole;
}

@InputType('UpdateUserInput')
export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'Sam Lee' })
  @Field({ nullable: true })
  @Omittable()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: USER_ROLES })
  @Field(() => UserRoleEnum, { nullable: true })
  @Omittable()
  @IsIn(USER_ROLES, { message: 'role must be admin or recruiter' })
  role?: UserRole;
}

@ObjectType('User')
export class UserView {
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty() @Field() email!: string;
  @ApiProperty() @Field() name!: string;
  @ApiProperty({ enum: USER_ROLES }) @Field(() => UserRoleEnum) role!: string;
  @ApiProperty({ enum: USER_STATUSES }) @Field(() => UserStatusEnum) status!: string;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;

  static of(e: UserEntity): UserView {
    const v = new UserView();
    Object.assign(v, {
      id: e.id,
      email: e.email,
      name: e.name,
      role: e.role,
      status: e.status,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
    return v;
  }
}

@ObjectType('InvitedUser')
export class InvitedUserView {
  @ApiProperty({ type: UserView }) @Field(() => UserView) user!: UserView;

  @ApiProperty({ description: 'One-time invite token for POST /v1/auth/accept-invite. Shown once.' })
  @Field({ description: 'One-time invite token for acceptInvite. Shown once.' })
  inviteToken!: string;

  @ApiProperty() @Field() inviteExpiresAt!: Date;
}
