import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('demo', COMMANDS['demo']!.summary, 'the issue tracker');
