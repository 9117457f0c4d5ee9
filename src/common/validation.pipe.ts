import { ValidationPipe } from '@nestjs/common';
import { validationErrorToAppError } from './errors/validation-errors';

/** Validates every argument class; a failure is BAD_USER_INPUT naming the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    forbidUnknownValues: false,
    stopAtFirstError: true,
    exceptionFactory: validationErrorToAppError,
  });
}
