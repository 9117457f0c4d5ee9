import { useState } from 'preact/hooks';

export type BreakerConfig = Record<string, number | string | null>;

/** The settings, in the order the README gives them, with what kind of value each takes. */
const FIELDS: { key: string; label: string; kind: 'int' | 'float' | 'nullable' | 'tripOn' }[] = [
  { key: 'tripOn', label: 'Trip on', kind: 'tripOn' },
  { key: 'failureThreshold', label: 'Failure threshold', kind: 'int' },
  { key: 'openTimeoutMs', label: 'Open timeout (ms)', kind: 'float' },
  { key: 'maxOpenTimeoutMs', label: 'Max open timeout (ms)', kind: 'float' },
  { key: 'halfOpenMaxCalls', label: 'Half-open max calls', kind: 'int' },
  { key: 'successThreshold', label: 'Success threshold', kind: 'int' },
  { key: 'windowMs', label: 'Window (ms)', kind: 'float' },
  { key: 'windowBuckets', label: 'Window buckets', kind: 'int' },
  { key: 'minimumCalls', label: 'Minimum calls', kind: 'int' },
  { key: 'failureRateThreshold', label: 'Failure rate threshold (%)', kind: 'float' },
  { key: 'slowCallDurationMs', label: 'Slow call duration (ms, empty: off)', kind: 'nullable' },
  { key: 'slowCallRateThreshold', label: 'Slow call rate threshold (%)', kind: 'float' },
  { key: 'permitTimeoutMs', label: 'Permit timeout (ms)', kind: 'float' },
];

/** Edits the config; answers only the settings that changed, for updateBreakerConfig. */
export function ConfigEditor({
  config,
  onSubmit,
  onCancel,
}: {
  config: BreakerConfig;
  onSubmit: (changed: BreakerConfig) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(FIELDS.map((f) => [f.key, config[f.key] === null ? '' : String(config[f.key])])),
  );
  const [error, setError] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    const changed: BreakerConfig = {};
    for (const field of FIELDS) {
      const text = values[field.key].trim();
      let value: number | string | null;
      if (field.kind === 'tripOn') value = text;
      else if (field.kind === 'nullable' && text === '') value = null;
      else {
        value = Number(text);
        if (text === '' || !Number.isFinite(value)) return setError(`${field.label}: a number is needed`);
      }
      if (value !== config[field.key]) changed[field.key] = value;
    }
    if (Object.keys(changed).length === 0) return setError('Nothing changed.');
    setError(null);
    onSubmit(changed);
  };
  return (
    <form class="config-editor" onSubmit={submit} aria-label="Edit config">
      {FIELDS.map((field) => (
        <label key={field.key}>
          {field.label}
          {field.kind === 'tripOn' ? (
            <select
              value={values[field.key]}
              onChange={(e) => setValues({ ...values, [field.key]: (e.target as HTMLSelectElement).value })}
            >
              <option value="CONSECUTIVE_FAILURES">Consecutive failures</option>
              <option value="FAILURE_RATE">Failure rate</option>
            </select>
          ) : (
            <input
              type="text"
              inputMode="decimal"
              value={values[field.key]}
              onInput={(e) => setValues({ ...values, [field.key]: (e.target as HTMLInputElement).value })}
            />
          )}
        </label>
      ))}
      <button type="submit">Review change</button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
