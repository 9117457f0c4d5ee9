import { ValidateBy, ValidationOptions } from 'class-validator';

/** NUL, which Postgres refuses in text and jsonb, or half a UTF-16 surrogate pair, which has no UTF-8 form. */
const UNSTORABLE = /\u0000|\p{Cs}/u;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL or unpaired surrogate characters';

/** Whether Postgres can store the string as it is. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * Text that Postgres can store as it was sent. Without this check such a string fails deep in the
 * write (INTERNAL_SERVER_ERROR) or is silently stored with U+FFFD in place of the lone surrogate.
 */
export function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isStorableText(value),
        defaultMessage: () => UNSTORABLE_TEXT_MESSAGE,
      },
    },
    options,
  );
}
