import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('status', COMMANDS['status']!.summary, 'the issue tracker');
