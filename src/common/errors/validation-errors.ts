import { ValidationError } from 'class-validator';
import { AppError } from './app-error';

/** Turns class-validator's errors into one BAD_USER_INPUT naming the first offending field by its full path. */
export function validationErrorToAppError(errors: ValidationError[]): AppError {
  const [path, message] = firstProblem(errors, '') ?? ['input', 'is invalid'];
  return AppError.badInput(path, message);
}

function firstProblem(errors: ValidationError[], prefix: string): [string, string] | null {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) return [path, messages[0]];
    const nested = firstProblem(error.children ?? [], path);
    if (nested) return nested;
  }
  return null;
}
