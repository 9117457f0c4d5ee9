import { GraphqlHttp } from './graphql-http';
import { ReportedOutcome, SendBatch } from './outcome-reporter';

const RECORD_OUTCOMES = `mutation RecordOutcomes($batchId: ID!, $outcomes: [OutcomeInput!]!) {
  recordOutcomes(batchId: $batchId, outcomes: $outcomes) { accepted duplicate }
}`;

/**
 * A batch sender for OutcomeReporter over `recordOutcomes`. An answer with `duplicate: true`
 * means an earlier try of the same batch committed and its answer was lost: it counts as
 * delivered, since the platform counted it then.
 */
export function recordOutcomesSender(http: GraphqlHttp): SendBatch {
  const iso = isoOfMillisecond();
  return async (batchId: string, outcomes: readonly ReportedOutcome[]) => {
    await http.request<{ recordOutcomes: { accepted: number; duplicate: boolean } }>(RECORD_OUTCOMES, {
      batchId,
      outcomes: outcomes.map((o) => toInput(o, iso)),
    });
  };
}

/** The OutcomeInput of an outcome: its time as ISO 8601, its duration to the microsecond. */
function toInput(o: ReportedOutcome, iso: (ms: number) => string): Record<string, unknown> {
  const input: Record<string, unknown> = {
    breakerName: o.breakerName,
    success: o.success,
    occurredAt: typeof o.occurredAt === 'number' ? iso(o.occurredAt) : o.occurredAt,
  };
  // 17 digits of a float cost more to print and parse than they say.
  if (o.durationMs !== undefined) input.durationMs = Math.round(o.durationMs * 1000) / 1000;
  if (o.error !== undefined) input.error = o.error;
  if (o.permitId !== undefined) input.permitId = o.permitId;
  return input;
}

/** Epoch ms → ISO 8601, made once per millisecond: a batch's outcomes mostly share a few. */
function isoOfMillisecond(): (ms: number) => string {
  let last = NaN;
  let text = '';
  return (ms: number) => {
    const whole = Math.floor(ms);
    if (whole !== last) {
      last = whole;
      text = new Date(whole).toISOString();
    }
    return text;
  };
}
