import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches } from 'class-validator';

export const BREAKER_NAME_PATTERN = /^[A-Za-z0-9._:/@-]+$/;

/** Validates a breaker name: 1–200 characters from [A-Za-z0-9._:/@-]. */
export function IsBreakerName(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, 200, { message: 'must be 1 to 200 characters long' }),
    Matches(BREAKER_NAME_PATTERN, { message: 'may contain only letters, digits and . _ : / @ -' }),
  );
}
