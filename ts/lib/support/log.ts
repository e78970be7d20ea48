/** The engine never writes to the console itself: it reports through a Logger. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEvent {
  level: LogLevel;
  message: string;
  region?: string;
  fields?: Record<string, unknown>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines carry a `[region]` prefix. */
  forRegion(region: string): Logger;
}

export type LogSink = (event: LogEvent) => void;

export function createLogger(sink: LogSink, region?: string): Logger {
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => sink({ level, message, region, fields });
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    forRegion: (r: string) => createLogger(sink, r),
  };
}

/** Formats events as text (`2026-11-28T13:00:00Z INFO [us-west-2] message`) or one JSON object per line. */
export function formatEvent(event: LogEvent, format: 'text' | 'json', now: Date = new Date()): string {
  if (format === 'json') {
    return JSON.stringify({ time: now.toISOString(), level: event.level, region: event.region, message: event.message, ...event.fields });
  }
  const prefix = event.region ? `[${event.region}] ` : '';
  return `${now.toISOString()} ${event.level.toUpperCase().padEnd(5)} ${prefix}${event.message}`;
}

export function streamSink(write: (line: string) => void, format: 'text' | 'json', verbose: boolean): LogSink {
  return (event) => {
    if (event.level === 'debug' && !verbose) return;
    write(formatEvent(event, format) + '\n');
  };
}
