/** At most this many vCPUs: the collector works on the thread whose heap it is. */
export declare const SINGLE_THREADED_GC_MAX_CPUS: number;
/** The node flags for a host with `cpus` vCPUs (default: this host's). */
export declare function gatewayNodeFlags(cpus?: number): string[];
