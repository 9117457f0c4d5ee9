import { useState } from 'preact/hooks';
import { Api } from '../api';
import { formatInfo, formatTime } from '../format';
import { RecoveryEvent } from '../model';
import { DISABLE, EVENTS, FORCE_OPEN, RESET, UPDATE_CONFIG } from '../queries';

/** An admin action waiting for its reason and confirmation. */
export interface PendingAction {
  /** What the Confirm button does, in words: "Reset", "Apply the suggested config". */
  label: string;
  mutation: string;
  config?: Record<string, unknown>;
}

const ACTIONS: PendingAction[] = [
  { label: 'Reset', mutation: RESET },
  { label: 'Force open', mutation: FORCE_OPEN },
  { label: 'Disable', mutation: DISABLE },
];

export function configAction(label: string, config: Record<string, unknown>): PendingAction {
  return { label, mutation: UPDATE_CONFIG, config };
}

/**
 * Runs an admin action: asks for a reason and a confirmation, sends the mutation, then shows the
 * event it recorded. The server checks the role as well; this only leaves the controls out.
 */
export function ActionForm({
  api,
  name,
  action,
  onCancel,
  onDone,
}: {
  api: Api;
  name: string;
  action: PendingAction;
  onCancel: () => void;
  onDone: (recorded: RecoveryEvent | null) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.request(action.mutation, { name, reason: reason.trim() || null, config: action.config });
      // The mutation answers once its event has committed: the newest event is the one it recorded.
      const { breakerEvents } = await api.request<{ breakerEvents: { edges: { node: RecoveryEvent }[] } }>(EVENTS, {
        name,
        first: 1,
      });
      onDone(breakerEvents.edges[0]?.node ?? null);
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
        type="text"
        maxLength={2000}
        value={reason}
        onInput={(e) => setReason((e.target as HTMLInputElement).value)}
        autofocus
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
  pending,
  setPending,
  onEditConfig,
  onRecorded,
}: {
  api: Api;
  name: string;
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
          api={api}
          name={name}
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
