/**
 * Turns kafkajs errors into FlinktsErrors that name the resource: the broker
 * address for unreachable brokers and failed authentication, the topic for a
 * topic the brokers do not have. All are CONNECTOR errors; unreachable
 * brokers are retriable (the job's restart strategy may try again).
 */
import { FlinktsError } from '../../../api/errors.js';

/** kafkajs error types (the protocol error names) that mean authentication failed. */
const AUTH_TYPES = new Set([
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
  'SASL_AUTHENTICATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/** The innermost cause of a kafkajs error (kafkajs wraps retried errors). */
function innermost(error: unknown): { name?: string; message?: string; type?: string; code?: string } {
  let current = error as { name?: string; message?: string; type?: string; code?: string; originalError?: unknown; cause?: unknown };
  for (let depth = 0; depth < 5; depth++) {
    const next = current?.originalError ?? (current?.name === 'KafkaJSNumberOfRetriesExceeded' ? current.cause : undefined);
    if (next === undefined || next === null) break;
    current = next as typeof current;
  }
  return current ?? {};
}

/** Whether a kafkajs error says a topic or partition does not exist. */
export function isUnknownTopic(error: unknown): boolean {
  const inner = innermost(error);
  return inner.type === 'UNKNOWN_TOPIC_OR_PARTITION' || (error as { type?: string })?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/** Whether a kafkajs error is an authentication or authorization failure. */
export function isAuthFailure(error: unknown): boolean {
  const inner = innermost(error);
  const outer = error as { name?: string; type?: string };
  return (
    outer?.name === 'KafkaJSSASLAuthenticationError' ||
    inner.name === 'KafkaJSSASLAuthenticationError' ||
    AUTH_TYPES.has(inner.type ?? '') ||
    AUTH_TYPES.has(outer?.type ?? '')
  );
}

/**
 * A FlinktsError for a kafkajs failure while `action` (e.g. `reading topic
 * 'orders'`) against the brokers `bootstrap`. An error that already is a
 * FlinktsError passes through.
 */
export function kafkaError(error: unknown, bootstrap: string, action: string, topic?: string): FlinktsError {
  if (error instanceof FlinktsError) return error;
  const inner = innermost(error);
  const reason = inner.message ?? (error instanceof Error ? error.message : String(error));
  if (isAuthFailure(error)) {
    return new FlinktsError('CONNECTOR', `authentication with the Kafka brokers at ${bootstrap} failed while ${action}: ${reason}`, {
      cause: error,
      hint: 'check security.protocol and the sasl.* properties against the listener (a PLAINTEXT listener accepts no SASL)',
    });
  }
  if (topic !== undefined && isUnknownTopic(error)) return missingTopic(topic, bootstrap, error);
  return new FlinktsError('CONNECTOR', `cannot reach the Kafka brokers at ${bootstrap} while ${action}: ${reason}`, {
    cause: error,
    retriable: true,
    hint: 'check that the brokers run and listen on that address (npm run kafka:start starts a local one)',
  });
}

/** The CONNECTOR error for a topic the brokers do not have. */
export function missingTopic(topic: string, bootstrap: string, cause?: unknown): FlinktsError {
  return new FlinktsError('CONNECTOR', `Kafka topic '${topic}' does not exist on the brokers at ${bootstrap}`, {
    ...(cause !== undefined && { cause }),
    hint: 'create the topic first (the brokers may not create topics on demand), or check its name',
  });
}
