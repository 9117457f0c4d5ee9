import { Injectable, PipeTransform } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { MAX_BATCH_SIZE } from './breaker.args';
import { BREAKER_NAME_MESSAGES, BREAKER_NAME_PATTERN } from '../../common/breaker-name';
import { MAX_ERROR_LENGTH, OutcomeInput } from './outcome.input';

/**
 * Checks a batch of outcomes by hand, with OutcomeInput's rules and messages. class-validator
 * and class-transformer cost several microseconds per object, and a batch holds up to 10,000;
 * GraphQL has already checked the types.
 */
@Injectable()
export class OutcomeBatchPipe implements PipeTransform<unknown, OutcomeInput[]> {
  transform(value: unknown): OutcomeInput[] {
    if (!Array.isArray(value)) throw AppError.badInput('outcomes', 'must be a list');
    if (value.length > MAX_BATCH_SIZE) {
      throw AppError.badInput('outcomes', `must hold at most ${MAX_BATCH_SIZE} outcomes`);
    }
    for (let i = 0; i < value.length; i++) checkOutcome(value[i] as OutcomeInput, `outcomes.${i}`);
    return value as OutcomeInput[];
  }
}

function checkOutcome(o: OutcomeInput, path: string): void {
  const name = o.breakerName;
  if (typeof name !== 'string' || name.length < 1 || name.length > 200) {
    throw AppError.badInput(`${path}.breakerName`, BREAKER_NAME_MESSAGES.length);
  }
  if (!BREAKER_NAME_PATTERN.test(name)) throw AppError.badInput(`${path}.breakerName`, BREAKER_NAME_MESSAGES.pattern);
  if (typeof o.success !== 'boolean') throw AppError.badInput(`${path}.success`, 'must be a boolean value');
  const d = o.durationMs;
  if (d !== undefined && d !== null) {
    if (typeof d !== 'number' || !Number.isFinite(d))
      throw AppError.badInput(`${path}.durationMs`, 'must be a finite number');
    if (d < 0) throw AppError.badInput(`${path}.durationMs`, 'durationMs must not be less than 0');
  }
  const e = o.error;
  if (e !== undefined && e !== null && (typeof e !== 'string' || e.length > MAX_ERROR_LENGTH)) {
    throw AppError.badInput(`${path}.error`, `error must be shorter than or equal to ${MAX_ERROR_LENGTH} characters`);
  }
}
