import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/person-fields';
import type { UserEntity } from '../user.entity';
import { Omittable } from '../../common/validation';

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

  @ApiProperty({ enum: ['admin', 'recruiter'], example: 'recruiter' })
  @Field()
  @IsIn(['admin', 'recruiter'], { message: 'role must be admin or recruiter' })
  role!: 'admin' | 'recruiter';
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

  @ApiPropertyOptional({ enum: ['admin', 'recruiter'] })
  @Field({ nullable: true })
  @Omittable()
  @IsIn(['admin', 'recruiter'], { message: 'role must be admin or recruiter' })
  role?: 'admin' | 'recruiter';
}

@ObjectType('User')
export class UserView {
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty() @Field() email!: string;
  @ApiProperty() @Field() name!: string;
  @ApiProperty({ enum: ['admin', 'recruiter'] }) @Field() role!: string;
  @ApiProperty({ enum: ['invited', 'active'] }) @Field() status!: string;
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
