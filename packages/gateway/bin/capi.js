#!/usr/bin/env node
// Launcher for the `capi` command: registers the TypeScript loader, then runs the CLI source.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
