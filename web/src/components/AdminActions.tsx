import { useEffect, useRef, useState } from 'preact/hooks';
import { Api } from '../api';
import { formatInfo, formatTime } from '../format';
import { RecoveryEvent } from '../model';
import { DISABLE, EVENTS, FORCE_OPEN, RESET, UPDATE_CONFIG } from '../queries';

/** An admin action waiting for its reason and confirmation. */
export interface PendingAction {
  /** What the Confirm button does, in words: "Reset", "Apply the suggested config". */
  label: string;
  mutation: string;
  /** The type of the event it records. */
  records: string;
  config?: Record<string, unknown>;
}

const ACTIONS: PendingAction[] = [
  { label: 'Reset', mutation: RESET, records: 'CIRCUIT_RESET' },
  { label: 'Force open', mutation: FORCE_OPEN, records: 'CIRCUIT_FORCED_OPEN' },
  { label: 'Disable', mutation: DISABLE, records: 'CIRCUIT_DISABLED' },
];

export function configAction(label: string, config: Record<string, unknown>): PendingAction {
  return { label, mutation: UPDATE_CONFIG, records: 'CONFIG_CHANGED', config };
}

/** Events read back to find the one an action recorded, among others' made meanwhile. */
const RECENT = 20;

/**
 * Runs an admin action: asks for a reason and a confirmation, sends the mutation, then shows the
 * event it recorded. The server checks the role as well; this only leaves the controls out.
 */
export function ActionForm({
  api,
  name,
  actor,
  action,
  onCancel,
  onDone,
}: {
  api: Api;
  name: string;
  /** The signed-in key's name: its events carry it as `actor`. */
  actor: string;
  action: PendingAction;
  onCancel: () => void;
  onDone: (recorded: RecoveryEvent | null) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonField = useRef<HTMLInputElement>(null);
  useEffect(() => reasonField.current?.focus(), []);
  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const why = reason.trim() || null;
      await api.request(action.mutation, { name, reason: why, config: action.config });
      // The mutation answers once its event has committed. Another admin may have acted since: the
      // recorded one is the newest of its type with this key as actor and this reason.
      const { breakerEvents } = await api.request<{ breakerEvents: { edges: { node: RecoveryEvent }[] } }>(EVENTS, {
        name,
        first: RECENT,
        types: [action.records],
      });
      const ours = breakerEvents.edges
        .map((e) => e.node)
        .find((e) => e.info.actor === actor && (e.info.reason ?? null) === why);
      onDone(ours ?? null);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };
  return (
    <form class="action-form" onSubmit={confirm} aria-label={`${action.label}: confirm`}>
      <p>
        <strong>{action.label}</strong> <code>{name}</code>
        {action.config && <span class="config-change"> with {formatInfo(action.config)}</span>}
      </p>
      <label for="action-reason">Reason</label>
      <input
        id="action-reason"
        ref={reasonField}
        type="text"
        maxLength={2000}
        value={reason}
        onInput={(e) => setReason((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy}>
        Confirm
      </button>
      <button type="button" onClick={onCancel} disabled={busy}>
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

/** Reset, Force open, Disable and Edit config for one breaker, and what the last one recorded. */
export function AdminActions({
  api,
  name,
  actor,
  pending,
  setPending,
  onEditConfig,
  onRecorded,
}: {
  api: Api;
  name: string;
  actor: string;
  pending: PendingAction | null;
  setPending: (action: PendingAction | null) => void;
  onEditConfig: () => void;
  onRecorded: () => void;
}) {
  const [recorded, setRecorded] = useState<RecoveryEvent | null>(null);
  return (
    <section class="admin" aria-label="Admin actions">
      <div class="buttons">
        {ACTIONS.map((action) => (
          <button key={action.label} type="button" onClick={() => setPending(action)} aria-pressed={pending?.label === action.label}>
            {action.label}
          </button>
        ))}
        <button type="button" onClick={onEditConfig}>
          Edit config
        </button>
      </div>
      {pending && (
        <ActionForm
          key={pending.label}
          api={api}
          name={name}
          actor={actor}
          action={pending}
          onCancel={() => setPending(null)}
          onDone={(event) => {
            setPending(null);
            setRecorded(event);
            onRecorded();
          }}
        />
      )}
      <div role="status" class="recorded">
        {recorded && (
          <p data-recorded-event={recorded.type}>
            Recorded {recorded.type} at {formatTime(recorded.occurredAt)}
            {Object.keys(recorded.info).length > 0 && <>: {formatInfo(recorded.info)}</>}
          </p>
        )}
      </div>
    </section>
  );
}
