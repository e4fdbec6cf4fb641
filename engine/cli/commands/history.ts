import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('history', COMMANDS['history']!.summary, 'the issue tracker');
