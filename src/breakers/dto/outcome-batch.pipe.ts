import { Injectable, PipeTransform } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { MAX_BATCH_SIZE } from './breaker.args';
import { BREAKER_NAME_MESSAGES, BREAKER_NAME_PATTERN } from '../../common/breaker-name';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../common/storable-text';
import { MAX_ERROR_LENGTH, MAX_PERMIT_ID_LENGTH, OutcomeInput } from './outcome.input';

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
  if (typeof e === 'string' && !isStorableText(e))
    throw AppError.badInput(`${path}.error`, `error ${UNSTORABLE_TEXT_MESSAGE}`);
  const p = o.permitId;
  if (p !== undefined && p !== null && (typeof p !== 'string' || p.length < 1 || p.length > MAX_PERMIT_ID_LENGTH)) {
    throw AppError.badInput(`${path}.permitId`, `permitId must be 1 to ${MAX_PERMIT_ID_LENGTH} characters long`);
  }
  const at = o.occurredAt;
  if (at !== undefined && at !== null && !(at instanceof Date && Number.isFinite(at.getTime()))) {
    throw AppError.badInput(`${path}.occurredAt`, 'occurredAt must be a valid date-time');
  }
}

/**
 * Checks `recordOutcomes(batchId:)` by hand: as an ArgsType, Nest's validation pipe would be handed
 * every argument of the field, the whole batch of outcomes included, and copy all of it.
 */
@Injectable()
export class BatchIdPipe implements PipeTransform<unknown, string | null> {
  transform(value: unknown): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.length < 1 || value.length > 100) {
      throw AppError.badInput('batchId', 'batchId must be 1 to 100 characters long');
    }
    if (!BATCH_ID_PATTERN.test(value)) {
      throw AppError.badInput('batchId', 'batchId must be printable ASCII characters, with no spaces');
    }
    return value;
  }
}

const BATCH_ID_PATTERN = /^[\x21-\x7e]+$/;
