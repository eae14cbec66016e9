export { startWatchdog, watchdogDefinition, loadWatchdogSettings } from './watchdog';
export type { RunningWatchdog, WatchdogSettings } from './watchdog';
export { WindowStore } from './window-store';
export type { CanaryWindows } from './window-store';
export {
  DEFAULT_DETECTION,
  changePoint,
  judgeCanary,
  marginZ,
  twoProportionZTest,
  upperTail,
} from './statistics';
export type { CanaryVerdict, DetectionSettings, WindowCounts } from './statistics';
