import { describe, expect, it } from 'vitest';
import { configPauseMessage } from '../src/worker/apply-plan.js';

describe('what a paused-for-configuration log tells the operator to fix', () => {
  it('names the version for a refused version', () => {
    for (const [status, code] of [
      [426, 'NONEXISTENT_VERSION'],
      [400, 'VERSION_MISSING'],
    ] as const) {
      const message = configPauseMessage(status, code);
      expect(message).toContain('LINKEDIN_VERSION');
      expect(message).not.toContain('LINKEDIN_API_BASE_URL');
    }
  });

  it('names the base URL for a 404 or any other answer that is not LinkedIn conversions', () => {
    for (const status of [404, 405, 301]) {
      const message = configPauseMessage(status, `HTTP_${status}`);
      expect(message).toContain(`HTTP ${status}`);
      expect(message).toContain('LINKEDIN_API_BASE_URL');
      expect(message).not.toContain('API version');
    }
  });
});
