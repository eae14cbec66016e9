export { startTelemetry, loadTelemetrySettings } from './telemetry';
export type { RunningTelemetry, TelemetrySettings } from './telemetry';
export { loadsOf, simulateWindow } from './traffic-model';
export type { InjectedSpike, TrafficSettings, VersionLoad } from './traffic-model';
export { startControlServer } from './control-server';
export type { ControlServer, ControlState, SpikeStart } from './control-server';
