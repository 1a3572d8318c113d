// Entry point. Tracing instrumentation first: it must be in place before pg, ioredis and node:http
// load, which a static import would load before any code here runs. Then the service itself.
import '@ragmesh/telemetry/instrument';

await import('./service.js');
