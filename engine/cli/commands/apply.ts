import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('apply', COMMANDS['apply']!.summary, 'the issue tracker');
