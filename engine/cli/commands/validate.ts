import { notImplemented } from '../not-implemented.js';
import { COMMANDS } from '../registry.js';

export default notImplemented('validate', COMMANDS['validate']!.summary, 'the issue tracker');
