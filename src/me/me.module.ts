import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { MeController } from './me.controller';
import { MeResolver } from './me.resolver';
import { MeService } from './me.service';

@Module({ imports: [UsersModule], controllers: [MeController], providers: [MeService, MeResolver] })
export class MeModule {}
