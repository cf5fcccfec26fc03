import { context, createContextKey, propagation, ROOT_CONTEXT } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";

const PROBE = createContextKey("@platform/observability probe");

let checked = false;
let ownContextManager = false;
let ownPropagator = false;

/** True when a real context manager is registered: the no-op one forgets what `with` sets. */
function contextManagerRegistered(): boolean {
  return context.with(ROOT_CONTEXT.setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
}

/**
 * Makes spans nest and trace context cross Kafka headers even when the NodeSDK is not started (unit
 * tests, scripts): registers an AsyncLocalStorage context manager and the W3C trace-context (+ baggage)
 * propagator, each only if none is registered yet. Called by every helper of this package, so callers
 * never need to. `startTelemetry` hands the globals back to the NodeSDK.
 */
export function ensureTracingContext(): void {
  if (checked) return;
  checked = true;
  if (!contextManagerRegistered()) {
    ownContextManager = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  if (propagation.fields().length === 0) {
    ownPropagator = propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
  }
}

/** Unregisters what `ensureTracingContext` registered, so the NodeSDK can register its own. */
export function releaseTracingContext(): void {
  if (ownContextManager) context.disable();
  if (ownPropagator) propagation.disable();
  ownContextManager = false;
  ownPropagator = false;
  checked = false;
}
