import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('reconcile', COMMANDS['reconcile']!.summary, 'the issue tracker');
