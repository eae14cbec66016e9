export { startNotifier, notifierDefinition, loadNotifierSettings } from './notifier';
export type { NotifierSettings, RunningNotifier } from './notifier';
export { canaryDegradedAlert, rolledBackAlert, testsFailedAlert } from './alerts';
export type { AlertDraft } from './alerts';
export { postAlert, WebhookError } from './webhook';
