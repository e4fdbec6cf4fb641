import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('logs', COMMANDS['logs']!.summary, 'the issue tracker');
