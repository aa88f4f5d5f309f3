/** The native route in process: the Hono route alone (http-native-suite.ts). */
import { describeNativeRoute } from './http-native-suite.js';

describeNativeRoute('in-process');
