import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('plan', COMMANDS['plan']!.summary, 'the issue tracker');
