import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches } from 'class-validator';

export const BREAKER_NAME_PATTERN = /^[A-Za-z0-9._:/@-]+$/;

export const BREAKER_NAME_MESSAGES = {
  length: 'must be 1 to 200 characters long',
  pattern: 'may contain only letters, digits and . _ : / @ -',
} as const;

/** Validates a breaker name: 1–200 characters from [A-Za-z0-9._:/@-]. */
export function IsBreakerName(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, 200, { message: BREAKER_NAME_MESSAGES.length }),
    Matches(BREAKER_NAME_PATTERN, { message: BREAKER_NAME_MESSAGES.pattern }),
  );
}
