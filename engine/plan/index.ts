// The planner's public API (the CLI's plan and status commands call these).
export { buildPlan, analyse, streamPlan, streamPlanSteps, planHead, hasChanges, type PlanInput, type Analysis, type PlanSink } from './build-plan.js';
export { buildStatus, buildStatusSteps, statusUserTypes, type StatusReport, type StatusUser } from './status.js';
export { observedPhase, observedRank } from './observed-phase.js';
export { renderPlanText, renderPlanEndText, textSink, WaveText, summaryLine, type TextOptions } from './render-text.js';
export { renderPlanJson, planToJsonValue, planJsonChunks, jsonSink } from './render-json.js';
export { renderPlanMarkdown, markdownSink, ONE_WAY_MARK, type MarkdownOptions } from './render-markdown.js';
export { planRefusalError } from './refusal.js';
export { certificateWarnings, type CertificateValidity } from './certificates.js';
export type { Throughput } from './estimate.js';
export * from './model.js';
