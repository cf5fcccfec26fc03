export * from "./health-score.js";
export * from "./lifecycle.js";
export * from "./membership.js";
export * from "./onboarding.js";
export * from "./sla.js";
export * from "./success-reps.js";
export * from "./triage.js";
