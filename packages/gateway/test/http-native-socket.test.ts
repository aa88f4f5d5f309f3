/**
 * The native route over a real socket, served as `capi start` serves it: plain requests answered
 * by the direct lane, the rest (queries, gzip) passed on to the Hono route (http-native-suite.ts).
 */
import { describeNativeRoute } from './http-native-suite.js';

describeNativeRoute('socket');
