import { SetMetadata } from '@nestjs/common';
import { Role } from './role';

export const REQUIRED_ROLE = 'requiredRole';

/** The role an operation needs; operations without it need VIEWER. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);
