import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('discover', COMMANDS['discover']!.summary, 'the issue tracker');
