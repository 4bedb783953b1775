import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { TenantEntity } from '../tenancy/tenant.entity';
import { UserEntity } from '../users/user.entity';

/** Every TypeORM entity. Listed explicitly so compiled and test runs load the same set. */
export const ENTITIES = [TenantEntity, UserEntity, ApiKeyEntity, RefreshTokenEntity];
