// The error of a problem the user must fix: its message says what and how, and is shown without a
// stack trace. Its own file so that the run folder module and the dashboard can throw it without
// pulling in the analyser or TF.js.
export class TrainingError extends Error {}
